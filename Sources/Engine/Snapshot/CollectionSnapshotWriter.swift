import Foundation

/// Streams a collection snapshot as an uncompressed GNU tar in Qdrant's container layout
/// (reference §2.4), with qdb's segment files under `<shard>/segments/<uuid>/files/` and
/// `qdb.json` last:
///
///     version.info  config.json  payload_index.json  shard_key_mapping.json
///     <s>/shard.json  <s>/segments/<uuid>/files/…  <s>/wal/closed-<V+1>  <s>/replica_state.json
///     <s>/shard_config.json  …  qdb.json
enum CollectionSnapshotWriter {
    /// Captures `collection` (short per-shard locks) into `scratch`, then streams it to `sink`
    /// with no lock held. Returns the metadata written as `qdb.json`.
    static func write(_ collection: Collection, scratch: String, to sink: any ByteSink) throws -> ArchiveMetadata {
        try FileIO.makeDirectories(scratch)
        defer { FileIO.removeTree(scratch) }
        let config = collection.config
        let schema = collection.payloadSchema
        let (captures, fingerprint) = try ArchiveFingerprint.around(collection) {
            try collection.shards.map { try $0.capture(into: scratch + "/\($0.id)") }
        }
        let tar = try TarWriter(sink: sink)
        var digests: [FileDigest] = []
        digests.append(try tar.addData("version.info", Array("0.4.2".utf8)))
        digests.append(try tar.addData("config.json", try .json(config)))
        digests.append(try tar.addData("payload_index.json", try .json(Collection.PayloadIndexFile(schema: schema))))
        digests.append(try tar.addData("shard_key_mapping.json", Array("[]".utf8)))
        for c in captures { digests += try addShard(c, prefix: "\(c.shardID)/", to: tar) }
        var meta = ArchiveMetadata(
            kind: .collection, collection: collection.name, shardID: nil,
            points: captures.reduce(0) { $0 + $1.points }, digests: digests)
        meta.fingerprint = fingerprint
        _ = try tar.addData(ArchiveMetadata.entryName, try .json(meta, pretty: true))
        try tar.finish()
        return meta
    }

    /// One shard's entries under `prefix` (`"0/"` in a collection snapshot, `""` in a shard one).
    static func addShard(_ c: ShardCapture, prefix: String, to tar: TarWriter) throws -> [FileDigest] {
        var digests: [FileDigest] = []
        digests.append(try tar.addFile(prefix + "shard.json", fromDisk: c.dir + "/shard.json"))
        for seg in c.segments {
            let dir = c.dir + "/segments/" + seg
            for name in Segment.files(under: dir) {
                digests.append(try tar.addFile(prefix + "segments/\(seg)/files/\(name)", fromDisk: dir + "/" + name, known: c.knownDigest(seg, name)))
            }
        }
        return digests + (try addShardTrailer(prefix: prefix, lastOp: c.flushedSeq, to: tar))
    }

    /// The entries after a shard's segments, as Qdrant's shard snapshots have them: the WAL stub
    /// `wal/closed-<lastOp+1>` (so Qdrant numbers new operations after everything in the
    /// segments, and applies them), the clock maps in a shard-level archive (`prefix` empty:
    /// shard and partial snapshots, see `ShardClocks`) and the replica files.
    static func addShardTrailer(prefix: String, lastOp: UInt64, to tar: TarWriter) throws -> [FileDigest] {
        try tar.addDirectory(prefix + "wal")
        let stub = QdrantWAL.stub(after: lastOp)
        let clocks = prefix.isEmpty ? try ShardClocks.add(prefix: prefix, to: tar) : []
        return clocks + [
            try tar.addData(prefix + "wal/" + stub.name, stub.bytes),
            try tar.addData(prefix + "replica_state.json", Array(#"{"is_local":true,"this_peer_id":0,"peers":{}}"#.utf8)),
            try tar.addData(prefix + "shard_config.json", Array(#"{"type":"ReplicaSet"}"#.utf8)),
        ]
    }
}
