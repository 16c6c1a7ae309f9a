import Foundation

extension Shard {
    /// The manifest of what this shard holds durably: the sealed segments `shard.json` lists, as
    /// their `segment.json` files describe them. Taken under the read lock, so no seal is halfway.
    func manifest(collection: String) throws -> SnapshotManifest {
        try lock.read { try diskManifestLocked(collection: collection) }
    }

    /// As `manifest(collection:)`; the caller holds the lock.
    func diskManifestLocked(collection: String) throws -> SnapshotManifest {
        try Shard.manifest(ofShardDir: dir, collection: collection, shard: id)
    }

    /// The manifest of a shard directory laid out on disk (a live shard or a capture).
    static func manifest(ofShardDir dir: String, collection: String, shard: Int) throws -> SnapshotManifest {
        guard let state = try State.read(shardDir: dir) else { return SnapshotManifest() }
        var m = SnapshotManifest()
        for seg in state.segments {
            let meta = try SegmentMeta.read(segmentDir: dir + "/segments/" + seg)
            m.segments[seg] = Segment.manifest(of: meta, collection: collection, shard: shard).unversioningMutableFiles()
        }
        return m
    }
}
