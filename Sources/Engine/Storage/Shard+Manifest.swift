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
        let statePath = dir + "/shard.json"
        guard FileIO.exists(statePath) else { return SnapshotManifest() }
        let state: State
        do {
            state = try JSONDecoder().decode(State.self, from: Data(try FileIO.readAll(statePath)))
        } catch {
            throw StorageError(.corrupt, "shard state \(statePath) is unreadable: \(error)")
        }
        var m = SnapshotManifest()
        for seg in state.segments {
            let path = dir + "/segments/" + seg + "/segment.json"
            let meta: SegmentMeta
            do {
                meta = try JSONDecoder().decode(SegmentMeta.self, from: Data(try FileIO.readAll(path)))
            } catch {
                throw StorageError(.corrupt, "segment \(path) is unreadable: \(error)")
            }
            m.segments[seg] = Segment.manifest(of: meta, collection: collection, shard: shard)
        }
        return m
    }
}
