import Foundation

/// `qdb.json`, the last entry of every qdb snapshot: what the archive is and the SHA-256 of every
/// other file in it, so an archive can be verified without its sidecar.
public struct ArchiveMetadata: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case collection, shard, full, partial }

    /// The archive format this qdb writes; it reads every version up to this one.
    public static let currentFormat = 1
    public static let entryName = "qdb.json"

    public var format_version: Int
    public var qdb_version: String
    public var created_at: String
    public var kind: Kind
    public var collection: String?
    public var shard_id: Int?
    public var points: Int
    public var files: [String: FileInfo]
    /// Probe queries and their answers at create time (collection snapshots; absent in
    /// archives from Qdrant and qdb 0.1), replayed by `verify --deep`.
    public var fingerprint: ArchiveFingerprint?

    public struct FileInfo: Codable, Sendable, Equatable {
        public var size: Int
        public var sha256: String
    }

    init(kind: Kind, collection: String?, shardID: Int?, points: Int, digests: [FileDigest]) {
        format_version = ArchiveMetadata.currentFormat
        qdb_version = engineVersion
        created_at = ISO8601DateFormatter().string(from: Date())
        self.kind = kind
        self.collection = collection
        shard_id = shardID
        self.points = points
        files = Dictionary(uniqueKeysWithValues: digests.map { ($0.path, FileInfo(size: $0.size, sha256: $0.sha256)) })
    }

    /// Checks the format version and that `digests` (of every file read from the archive, in
    /// any order) are exactly the files listed, with the listed sizes and hashes.
    func check(_ digests: [FileDigest]) throws {
        guard format_version <= ArchiveMetadata.currentFormat else {
            throw SnapshotError(
                .corrupt,
                "snapshot format version \(format_version) was written by a newer qdb (\(qdb_version)); this qdb (\(engineVersion)) reads format versions up to \(ArchiveMetadata.currentFormat)")
        }
        var seen = Set<String>()
        for d in digests where d.path != ArchiveMetadata.entryName {
            guard let want = files[d.path] else {
                throw SnapshotError(.corrupt, "snapshot holds \(d.path), which its qdb.json does not list")
            }
            guard want.size == d.size, SHA256Hasher.checksumsMatch(want.sha256, d.sha256) else {
                throw SnapshotError(.checksumMismatch, "snapshot entry \(d.path) is damaged: expected sha256 \(want.sha256), got \(d.sha256)")
            }
            seen.insert(d.path)
        }
        if let missing = files.keys.sorted().first(where: { !seen.contains($0) }) {
            throw SnapshotError(.corrupt, "snapshot is missing \(missing), which its qdb.json lists")
        }
    }
}

/// qdb's version, recorded in snapshots.
public let engineVersion = "0.1.0"

extension ArchiveMetadata {
    /// The metadata of an archive without `qdb.json` (made by Qdrant), from its entries' paths:
    /// `config.json` beside nothing but nested `*.snapshot` files at the root is a full-storage
    /// snapshot (reference §2.7), `config.json` otherwise a collection snapshot, `segments/` a
    /// shard snapshot (a partial one when its segments carry `segment_manifest.json`). No
    /// digests, no point count.
    static func foreign(paths: [String]) throws -> ArchiveMetadata {
        let kind: Kind
        let root = paths.filter { !$0.contains("/") }
        if paths.contains("config.json"), root.count == paths.count, root.contains(where: { $0.hasSuffix(".snapshot") }),
            root.allSatisfy({ $0 == "config.json" || $0.hasSuffix(".snapshot") })
        {
            kind = .full
        } else if paths.contains("config.json") {
            kind = .collection
        } else if paths.contains(where: { $0.hasPrefix("segments/") }) {
            kind = paths.contains { $0.hasPrefix("segments/") && $0.hasSuffix("/segment_manifest.json") } ? .partial : .shard
        } else {
            throw SnapshotError(.corrupt, "not a snapshot: the archive has neither qdb.json nor Qdrant's config.json or segments/")
        }
        return ArchiveMetadata(kind: kind, collection: nil, shardID: nil, points: 0, digests: [])
    }
}
