#if canImport(Glibc)
import Glibc
#endif

/// The one error type of the archive and integrity layer (tar writing, reading, extraction,
/// checksums), in the engine's style: a `code` callers switch on, a `message` that says what
/// happened and how to fix it, and the underlying `cause` when there is one.
///
/// Errors thrown by a caller's `ByteSink` or `ByteSource` are passed through unchanged, so an
/// HTTP client that went away or a `StorageError` stays what it was.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The input is not a readable uncompressed tar archive: garbage, compressed, truncated,
        /// or internally inconsistent (a duplicate entry, a file where a directory must be).
        case corrupt
        /// The archive holds an entry type qdb never accepts (symlink, hardlink, device, fifo).
        case forbiddenEntry
        /// An entry path is absolute, contains `..`, is empty or contains control characters.
        case unsafePath
        /// An entry, the archive, or the number of entries is over the configured limit.
        case tooLarge
        /// A file to hash or archive does not exist.
        case notFound
        /// A filesystem call failed.
        case io
        /// The disk is full.
        case insufficientStorage
        /// The API was used out of order (writing after `finish()`, a non-empty staging dir).
        case badInput
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?
    /// The archive entry the error is about, when there is one.
    public var path: String?
    public var file: String
    public var line: Int

    public init(
        _ code: Code, _ message: String, cause: (any Error & Sendable)? = nil, path: String? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.path = path
        self.file = file
        self.line = line
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }

    /// The stable text shown for any tar parse failure. libarchive's own text can quote bytes of
    /// the input (a secret file pointed at by a recovery request), so it only goes into `cause`.
    public static let malformedMessage = "Malformed tar archive, unable to read entries"

    /// libarchive's own account of a failure, kept for logs only.
    public struct LibarchiveFailure: Error, CustomStringConvertible, Sendable {
        public var status: Int32
        public var errno: Int32
        public var text: String
        public var description: String { "libarchive status \(status), errno \(errno): \(text)" }
    }

    /// A failed system call.
    public struct SystemFailure: Error, CustomStringConvertible, Sendable {
        public var call: String
        public var errno: Int32
        public var description: String { "\(call): \(String(cString: strerror(errno))) (errno \(errno))" }
    }

    /// An error for a failed system call on `what`, using `errno` (read before `what` and
    /// `path` are built, so string interpolation cannot clobber it, unless given):
    /// `.insufficientStorage` for ENOSPC/EDQUOT, `.notFound` for ENOENT, else `.io`.
    static func system(
        _ call: StaticString, _ what: @autoclosure () -> String, errno e: Int32 = errno,
        path: @autoclosure () -> String? = nil, file: String = #fileID, line: Int = #line
    ) -> ArchiveError {
        let what = what(), path = path()
        let text = String(cString: strerror(e))
        let code: Code
        switch e {
        case ENOSPC, EDQUOT: code = .insufficientStorage
        case ENOENT: code = .notFound
        default: code = .io
        }
        let hint = code == .insufficientStorage ? "; free some disk space and retry" : ""
        return ArchiveError(
            code, "\(call) \(what) failed: \(text)\(hint)", cause: SystemFailure(call: "\(call)", errno: e),
            path: path, file: file, line: line)
    }
}
