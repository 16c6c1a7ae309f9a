import Foundation

/// Reads the shard manifest a snapshot archive describes, streaming: only `shard.json`,
/// `segment.json`, `segment_manifest.json` and `qdb.json` are read; segment data is skipped.
public enum ArchiveManifest {
    /// - Parameter shard: for a collection snapshot, which shard (`<shard>/…`); shard and partial
    ///   snapshots are shard-rooted and ignore it.
    /// - Returns: the manifest (a partial archive's own `segment_manifest.json` files, otherwise
    ///   computed from each `segment.json`) and the archive's metadata. An archive made by Qdrant
    ///   (no `qdb.json`, no `shard.json`, no qdb record in `segment.json`) gets its segment set
    ///   from the segment directories with a `version.info` and each file at its segment's
    ///   version, as a qdb manifest of the restored shard would say.
    public static func read(_ source: any ByteSource, shard: Int?) throws -> (SnapshotManifest, ArchiveMetadata) {
        let reader = try TarReader(source: source)
        var entries: [String: [UInt8]] = [:]
        var files: [String] = []
        var meta: ArchiveMetadata?
        let limit = 16 << 20
        while let e = try reader.next() {
            let name = (e.path as NSString).lastPathComponent
            if e.kind == .file { files.append(e.path) }
            if e.path == ArchiveMetadata.entryName {
                do {
                    meta = try JSONDecoder().decode(ArchiveMetadata.self, from: Data(try reader.readAll(limit: limit)))
                } catch {
                    throw SnapshotError(.corrupt, "snapshot qdb.json is unreadable: \(SnapshotError.describeDecoding(error))")
                }
            } else if ["shard.json", "segment.json", "segment_manifest.json"].contains(name) {
                entries[e.path] = try reader.readAll(limit: limit)
            }
        }
        let archive = try meta ?? ArchiveMetadata.foreign(paths: files)
        let prefix: String
        switch archive.kind {
        case .collection:
            guard let shard else { throw SnapshotError(.badInput, "this is a collection snapshot: say which shard (--shard N)") }
            prefix = "\(shard)/"
        case .shard, .partial: prefix = ""
        case .full: throw SnapshotError(.badInput, "a full-storage snapshot holds whole collections; take the manifest of a collection, shard or partial snapshot")
        }
        let segments: [String]
        if let stateBytes = entries[prefix + "shard.json"] {
            guard let state = try? JSONDecoder().decode(Shard.State.self, from: Data(stateBytes)) else {
                throw SnapshotError(.corrupt, "the snapshot has no readable \(prefix)shard.json")
            }
            segments = state.segments
        } else if meta == nil {
            segments = Set(files.compactMap { path -> String? in
                let parts = path.split(separator: "/").map(String.init)
                let rel = prefix.isEmpty ? parts : Array(parts.dropFirst())
                return rel.count == 4 && rel[0] == "segments" && rel[2] == "files" && rel[3] == "version.info" ? rel[1] : nil
            }).sorted()
        } else {
            throw SnapshotError(.corrupt, "the snapshot has no readable \(prefix)shard.json")
        }
        var m = SnapshotManifest()
        let shardID = archive.shard_id ?? shard ?? 0
        for seg in segments {
            let dir = prefix + "segments/\(seg)/files/"
            do {
                if let bytes = entries[dir + "segment_manifest.json"] {
                    m.segments[seg] = try JSONDecoder().decode(SegmentManifest.self, from: Data(bytes))
                } else if let bytes = entries[dir + "segment.json"] {
                    let segMeta = try SegmentMeta.decode(segmentJSON: bytes) ?? derived(seg, bytes, files: files, under: dir)
                    m.segments[seg] = Segment.manifest(of: segMeta, collection: archive.collection ?? "", shard: shardID).unversioningMutableFiles()
                } else {
                    throw SnapshotError(.corrupt, "segment \(seg) has no segment.json in the snapshot")
                }
            } catch let e as SnapshotError {
                throw e
            } catch {
                throw SnapshotError(.corrupt, "segment \(seg) metadata is unreadable: \(SnapshotError.describeDecoding(error))")
            }
        }
        try m.validate()
        return (m, archive)
    }

    /// The meta of a segment Qdrant wrote: its files (as the archive lists them) at its version.
    static func derived(_ seg: String, _ bytes: [UInt8], files: [String], under dir: String) throws -> SegmentMeta {
        let state = try SegmentState.read(validating: bytes)
        let v = state.version ?? 0
        var fv: [String: UInt64] = [:]
        for f in files where f.hasPrefix(dir) && !Segment.metadataFiles.contains(String(f.dropFirst(dir.count))) {
            fv[String(f.dropFirst(dir.count))] = v
        }
        return SegmentMeta(id: seg, version: v, created_version: state.initial_version ?? v, deleted_version: v,
                           points: 0, live_points: 0, dims: [], file_versions: fv)
    }
}
