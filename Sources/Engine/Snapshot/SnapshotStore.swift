import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a snapshot is of: decides its directory (local) or key prefix (S3).
public enum SnapshotScope: Sendable, Equatable, CustomStringConvertible {
    case collection(String)
    case shard(collection: String, shard: Int)
    case full

    /// The path below the snapshots root, as Qdrant lays it out (reference §2.1).
    public var relativeDirectory: String {
        switch self {
        case .full: return ""
        case .collection(let c): return c
        case .shard(let c, let id): return "\(c)/shards/\(id)"
        }
    }

    public var description: String {
        switch self {
        case .full: return "full storage"
        case .collection(let c): return "collection \(c)"
        case .shard(let c, let id): return "shard \(id) of collection \(c)"
        }
    }
}

/// Qdrant's `SnapshotDescription`.
public struct SnapshotDescription: Codable, Sendable, Equatable {
    public var name: String
    public var creation_time: String?
    public var size: Int64
    public var checksum: String?
    /// qdb extensions (absent unless given when the snapshot was made; see SnapshotAnnotation).
    public var description: String?
    public var labels: [String: String]?

    public init(name: String, creation_time: String?, size: Int64, checksum: String?) {
        self.name = name
        self.creation_time = creation_time
        self.size = size
        self.checksum = checksum
    }
}

/// Where snapshots are kept. One interface for the local directory and object stores, so every
/// snapshot route and command works with either. Writing and reading are streams: a snapshot
/// goes from the archive writer into `beginUpload`'s sink, and comes back out of `open`, with
/// no intermediate copy that the store does not need itself.
public protocol SnapshotStore: Sendable {
    /// Snapshots of `scope`, sorted by name.
    func list(_ scope: SnapshotScope) throws -> [SnapshotDescription]
    func describe(_ scope: SnapshotScope, name: String) throws -> SnapshotDescription
    /// Deletes a snapshot and its checksum sidecar. Throws `.notFound` if it does not exist.
    func delete(_ scope: SnapshotScope, name: String) throws
    /// Starts storing snapshot `name` of `scope`. Nothing is listed until the upload's `commit`;
    /// `abort` removes every trace of it.
    func beginUpload(_ scope: SnapshotScope, name: String) throws -> any SnapshotUpload
    /// Opens a stored snapshot as a stream. Throws `.notFound` if it does not exist.
    func open(_ scope: SnapshotScope, name: String) throws -> any ByteSource
    /// The snapshot's local file, when the store keeps files on this machine (served with Range
    /// support and read in place); nil for remote stores.
    func localPath(_ scope: SnapshotScope, name: String) throws -> String?
    /// A local directory for temp files (upload spools).
    func tempDirectory() throws -> String
}

/// A snapshot being stored. Write the archive to `sink`, close it, then `commit` with the
/// SHA-256 of everything written, or `abort`.
public protocol SnapshotUpload: AnyObject {
    var sink: any ByteSink { get }
    /// Makes the snapshot and its `.checksum` visible, atomically as far as the store allows.
    func commit(sha256: String) throws -> SnapshotDescription
    /// Removes whatever was written; safe after a failure and more than once.
    func abort()
}

extension SnapshotScope {
    /// Checks a snapshot name: it must be its own basename (no `/`, not `.`/`..`, not empty)
    /// and hold no NUL or control characters. Violations are reported as not found (404).
    static func validate(name: String) throws {
        if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\\")
            || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        {
            throw SnapshotError.notFound(name)
        }
    }
}
