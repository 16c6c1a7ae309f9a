/// The one error type of the snapshot domain (stores, archives' meaning, recovery).
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// No such snapshot, or a name that could reach outside its directory (always reported
        /// as not found, as Qdrant does, so probing learns nothing).
        case notFound
        /// The request is wrong: bad location, incompatible collection, wrong archive kind.
        case badInput
        /// The data's SHA-256 differs from the one given or recorded.
        case checksumMismatch
        /// A location outside what the server may read.
        case forbidden
        /// The archive is damaged, hostile or not a qdb snapshot.
        case corrupt
        /// Another recovery of the same target is running.
        case busy
        /// A filesystem call failed.
        case io
        /// The disk is full.
        case insufficientStorage
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    static func notFound(_ name: String) -> SnapshotError {
        SnapshotError(.notFound, "Snapshot \(name) not found")
    }
}

extension SnapshotError {
    /// Runs `body` over data staged from an archive (laying it out, test-opening it) and
    /// reports what it finds wrong there as the archive's fault: a damaged or lying segment
    /// file, a missing file or a count the bytes cannot back is `.corrupt` (400, exit 65), not
    /// a storage failure (500). A full disk stays a full disk.
    static func staged<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as StorageError {
            switch e.code {
            case .insufficientStorage, .locked, .alreadyExists: throw e
            case .corrupt, .badInput, .notFound, .io:
                throw SnapshotError(.corrupt, "snapshot data is damaged: \(e.message)", cause: e)
            }
        } catch let e as BoundsError {
            throw SnapshotError(.corrupt, "snapshot data is damaged: \(e)", cause: e)
        }
    }
}
