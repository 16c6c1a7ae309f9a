/// The one error type of the storage engine, modelled on NIO's `FileSystemError`:
/// a `code` callers switch on, a `message` that says what happened and how to fix it,
/// and the underlying `cause` when there is one.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// A collection, alias, point or shard does not exist.
        case notFound
        /// The thing being created exists already.
        case alreadyExists
        /// A request is well-formed but its values are wrong (vector size, ids, names).
        case badInput
        /// The storage directory is held by another process.
        case locked
        /// A filesystem call failed.
        case io
        /// The disk is full.
        case insufficientStorage
        /// On-disk data is corrupt beyond what recovery tolerates.
        case corrupt
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?
    public var file: String
    public var line: Int

    public init(
        _ code: Code, _ message: String, cause: (any Error & Sendable)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.file = file
        self.line = line
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }

    static func collectionNotFound(_ name: String) -> StorageError {
        StorageError(.notFound, "Collection `\(name)` doesn't exist!")
    }
}
