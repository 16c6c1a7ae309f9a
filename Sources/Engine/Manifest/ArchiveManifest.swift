import Foundation

/// Reads the shard manifest a snapshot archive describes, streaming: only `shard.json`,
/// `segment.json`, `segment_manifest.json` and `qdb.json` are read; segment data is skipped.
public enum ArchiveManifest {
    /// - Parameter shard: for a collection snapshot, which shard (`<shard>/…`); shard and partial
    ///   snapshots are shard-rooted and ignore it.
    /// - Returns: the manifest (a partial archive's own `segment_manifest.json` files, otherwise
    ///   computed from each `segment.json`) and the archive's metadata.
    public static func read(_ source: any ByteSource, shard: Int?) throws -> (SnapshotManifest, ArchiveMetadata) {
        let reader = try TarReader(source: source)
        var entries: [String: [UInt8]] = [:]
        var meta: ArchiveMetadata?
        let limit = 16 << 20
        while let e = try reader.next() {
            let name = (e.path as NSString).lastPathComponent
            if e.path == ArchiveMetadata.entryName {
                do {
                    meta = try JSONDecoder().decode(ArchiveMetadata.self, from: Data(try reader.readAll(limit: limit)))
                } catch {
                    throw SnapshotError(.corrupt, "snapshot metadata qdb.json is unreadable: \(error)")
                }
            } else if ["shard.json", "segment.json", "segment_manifest.json"].contains(name) {
                entries[e.path] = try reader.readAll(limit: limit)
            }
        }
        guard let meta else {
            throw SnapshotError(.corrupt, "not a qdb snapshot: the archive has no qdb.json")
        }
        let prefix: String
        switch meta.kind {
        case .collection:
            guard let shard else { throw SnapshotError(.badInput, "this is a collection snapshot: say which shard (--shard N)") }
            prefix = "\(shard)/"
        case .shard, .partial: prefix = ""
        case .full: throw SnapshotError(.badInput, "a full-storage snapshot holds whole collections; take the manifest of a collection, shard or partial snapshot")
        }
        guard let stateBytes = entries[prefix + "shard.json"],
            let state = try? JSONDecoder().decode(Shard.State.self, from: Data(stateBytes))
        else { throw SnapshotError(.corrupt, "the snapshot has no readable \(prefix)shard.json") }
        var m = SnapshotManifest()
        let shardID = meta.shard_id ?? shard ?? 0
        for seg in state.segments {
            let dir = prefix + "segments/\(seg)/files/"
            do {
                if let bytes = entries[dir + "segment_manifest.json"] {
                    m.segments[seg] = try JSONDecoder().decode(SegmentManifest.self, from: Data(bytes))
                } else if let bytes = entries[dir + "segment.json"] {
                    guard let segMeta = try SegmentMeta.decode(segmentJSON: bytes) else {
                        throw SnapshotError(.corrupt, "segment \(seg) was not written by qdb: its segment.json has no qdb record of file versions")
                    }
                    m.segments[seg] = Segment.manifest(of: segMeta, collection: meta.collection ?? "", shard: shardID)
                } else {
                    throw SnapshotError(.corrupt, "segment \(seg) has no segment.json in the snapshot")
                }
            } catch let e as SnapshotError {
                throw e
            } catch {
                throw SnapshotError(.corrupt, "segment \(seg) metadata is unreadable: \(error)")
            }
        }
        try m.validate()
        return (m, meta)
    }
}
