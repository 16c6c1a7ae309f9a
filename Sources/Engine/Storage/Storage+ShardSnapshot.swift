import CQDBSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Storage {
    func shard(_ collection: String, _ id: Int) throws -> (Collection, Shard) {
        let c = try self.collection(collection)
        guard id >= 0, id < c.shards.count else { throw StorageError(.notFound, "shard \(id) not found") }
        return (c, c.shards[id])
    }

    /// Streams a snapshot of one shard: its entries at the archive root (reference §2.5) and
    /// `qdb.json` (kind `shard`) last.
    public func writeShardSnapshot(_ collection: String, shard id: Int, to sink: any ByteSink) throws -> ArchiveMetadata {
        let (c, shard) = try self.shard(collection, id)
        let scratch = tmpDir + "/capture-\(UUID().uuidString)"
        defer { FileIO.removeTree(scratch) }
        let (capture, fingerprint) = try ArchiveFingerprint.around(shard) { try shard.capture(into: scratch) }
        let tar = try TarWriter(sink: sink)
        let digests = try CollectionSnapshotWriter.addShard(capture, prefix: "", to: tar)
        var meta = ArchiveMetadata(kind: .shard, collection: c.name, shardID: id, points: capture.points, digests: digests)
        meta.fingerprint = fingerprint
        _ = try tar.addData(ArchiveMetadata.entryName, try .json(meta, pretty: true))
        try tar.finish()
        return meta
    }

    /// Replaces one shard's data from a shard snapshot stream, atomically: unpacked and checked in
    /// staging, test-opened (segment vector sizes must match the collection), then exchanged with
    /// the live shard directory under the shard's write lock and reloaded in place.
    @discardableResult
    public func restoreShard(_ collection: String, shard id: Int, from source: any ByteSource, checksum: String?) throws -> ArchiveMetadata {
        let (_, shard) = try self.shard(collection, id)
        let staging = tmpDir + "/restore-\(UUID().uuidString)"
        defer { FileIO.removeTree(staging) }
        let unpacked = staging + "/shard"
        let meta = try SnapshotUnpacker.unpack(source, into: unpacked, checksum: checksum, expecting: .shard, sync: false)
        let loaded = try SnapshotError.staged {
            try SnapshotUnpacker.layOutShard(unpacked)
            return try Storage.openWhileSyncing(unpacked) {
                let opened = try Shard.open(id: id, dir: unpacked, schema: shard.schema, sealThreshold: shard.sealThreshold, logger: logger)
                if meta.files.isEmpty { try opened.checkPayloads() }  // made by Qdrant: no digests to trust
                return opened
            }
        }
        try shard.replace(with: unpacked, loaded: loaded)
        return meta
    }
}

extension Shard {
    /// Exchanges this shard's directory with the prepared one at `staged`, whose test-open is
    /// `loaded`, and takes over its state (no second load). The old data ends up at `staged`
    /// (the caller removes it).
    ///
    /// An optimization in flight on this shard is stopped first and waited for (it throws its
    /// work away: its segment would hold the old data, and its files must not land in the
    /// directory once it holds the new data); none starts until the exchange is done. The next
    /// optimizer pass then optimizes the new data. The caller must not hold `lock`.
    func replace(with staged: String, loaded: Shard) throws {
        try optimizerState.pausing {
            try lock.write {
                guard qdb_rename_exchange(staged, dir) == 0 else { throw FileIO.ioError("exchange \(staged) with \(dir)") }
                try FileIO.syncDirectory((dir as NSString).deletingLastPathComponent)
                let (wal, _) = try WAL.open(dir: dir + "/wal", logger: logger)
                takeState(of: loaded, wal: wal)
            }
        }
    }
}
