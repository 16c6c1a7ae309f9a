import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `config.json` of a full-storage snapshot (reference §2.7).
struct FullSnapshotConfig: Codable {
    var collections_mapping: [String: String]
    /// Alias → collection; Qdrant reads it as `{}` when absent.
    var collections_aliases: [String: String]

    init(collections_mapping: [String: String], collections_aliases: [String: String]) {
        self.collections_mapping = collections_mapping
        self.collections_aliases = collections_aliases
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        collections_mapping = try c.decode([String: String].self, forKey: .collections_mapping)
        collections_aliases = try c.decodeIfPresent([String: String].self, forKey: .collections_aliases) ?? [:]
    }
}

extension Storage {
    /// Streams a full-storage snapshot: one nested collection snapshot per collection at the
    /// archive root, `config.json` (collection → nested archive, aliases), `qdb.json` last. Each
    /// nested archive is built in `tmpDir` first (a tar entry needs its size up front) and removed
    /// as soon as it has been copied; the stored per-collection snapshots are not touched.
    public func writeFullSnapshot(to sink: any ByteSink) throws -> ArchiveMetadata {
        let scratch = tmpDir + "/full-\(UUID().uuidString)"
        try FileIO.makeDirectories(scratch)
        defer { FileIO.removeTree(scratch) }
        let tar = try TarWriter(sink: sink)
        var digests: [FileDigest] = []
        var mapping: [String: String] = [:]
        var points = 0
        for name in collectionNames() {
            let entry = "\(name)-\(peerID)-full.snapshot"
            let path = scratch + "/" + entry
            let file = try FileDescriptorSink(creatingFile: path)
            let meta: ArchiveMetadata
            do {
                meta = try writeCollectionSnapshot(name, to: file)
                try file.close()
            } catch StorageError.notFoundCode {
                try? file.close()
                continue  // deleted meanwhile
            }
            digests.append(try tar.addFile(entry, fromDisk: path))
            unlink(path)
            mapping[name] = entry
            points += meta.points
        }
        let config = FullSnapshotConfig(collections_mapping: mapping, collections_aliases: aliasSnapshot())
        digests.append(try tar.addData("config.json", try .json(config, pretty: true)))
        let meta = ArchiveMetadata(kind: .full, collection: nil, shardID: nil, points: points, digests: digests)
        _ = try tar.addData(ArchiveMetadata.entryName, try .json(meta, pretty: true))
        try tar.finish()
        return meta
    }

    /// Restores every collection and alias of a full-storage snapshot. Each collection is swapped
    /// in atomically on its own; without `overwrite`, an existing collection or alias stops the
    /// restore before anything changes.
    @discardableResult
    public func restoreFull(from source: any ByteSource, checksum: String?, overwrite: Bool) throws -> ArchiveMetadata {
        let staging = tmpDir + "/restore-full-\(UUID().uuidString)"
        defer { FileIO.removeTree(staging) }
        let meta = try SnapshotUnpacker.unpack(source, into: staging, checksum: checksum, expecting: .full)
        let config = try SnapshotError.decodeEntry(FullSnapshotConfig.self, at: staging + "/config.json", entry: "config.json")
        if !overwrite {
            if let clash = config.collections_mapping.keys.sorted().first(where: exists) {
                throw StorageError(.alreadyExists, "Collection `\(clash)` already exists; use --force to overwrite it")
            }
            let current = aliasSnapshot()
            if let clash = config.collections_aliases.keys.sorted().first(where: { current[$0] != nil }) {
                throw StorageError(.alreadyExists, "Alias `\(clash)` already exists; use --force to overwrite it")
            }
        }
        for (name, entry) in config.collections_mapping.sorted(by: { $0.key < $1.key }) {
            try SnapshotScope.validate(name: entry)
            try restoreCollection(name, from: try FileDescriptorSource(path: staging + "/" + entry), checksum: nil, overwrite: overwrite)
        }
        try withAliases { map, collections in
            for (alias, target) in config.collections_aliases where collections.contains(target) {
                map[alias] = target
            }
        }
        return meta
    }
}

extension StorageError {
    /// Matches a `StorageError` whose code is `.notFound` in a `catch` pattern.
    static var notFoundCode: StorageErrorCodePattern { StorageErrorCodePattern(code: .notFound) }
}

struct StorageErrorCodePattern {
    var code: StorageError.Code
    static func ~= (pattern: StorageErrorCodePattern, error: any Error) -> Bool {
        (error as? StorageError)?.code == pattern.code
    }
}
