import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A partial (incremental) snapshot of one shard, prepared against a requester's manifest
/// (reference §3.2): the shard is captured (a seal and hard links, as any snapshot), the capture's
/// manifest is compared with the requester's, and `write(to:)` streams only the segment files the
/// requester lacks or holds older/different copies of, plus every segment's `segment.json` and
/// its current manifest as `segments/<id>/files/segment_manifest.json`, so that recovery can
/// delete what is gone. The archive is shard-rooted, like a shard snapshot, with `qdb.json`
/// (kind `partial`) last.
public final class PartialSnapshot: @unchecked Sendable {
    public let collection: String
    public let shardID: Int
    /// The shard's manifest at capture.
    public let current: SnapshotManifest
    /// Segment id → the files to send.
    public let plan: [String: [String]]
    let capture: ShardCapture
    private let scratch: String

    /// Nothing to send and nothing to delete: the requester is up to date (HTTP 304).
    public let isEmpty: Bool

    init(collection: String, shardID: Int, capture: ShardCapture, scratch: String, current: SnapshotManifest, theirs: SnapshotManifest) {
        self.collection = collection
        self.shardID = shardID
        self.capture = capture
        self.scratch = scratch
        self.current = current
        plan = PartialSnapshot.plan(current: current, theirs: theirs)
        isEmpty = plan.isEmpty && Set(PartialSnapshot.relevant(theirs, current).segments.keys) == Set(current.segments.keys)
    }

    deinit { FileIO.removeTree(scratch) }

    /// The files each current segment must send to a holder of `theirs`; empty when the two
    /// manifests describe the same data (same segments, same files, nothing newer).
    /// `theirs` without the empty segments this shard does not have: Qdrant keeps an empty
    /// appendable segment of its own (segment version 0) beside the ones it received.
    static func relevant(_ theirs: SnapshotManifest, _ current: SnapshotManifest) -> SnapshotManifest {
        var m = theirs
        m.segments = theirs.segments.filter { current.segments[$0.key] != nil || $0.value.segment_version > 0 }
        return m
    }

    /// A file under `payload_index/` other than its `config.json`: a field index Qdrant builds
    /// from the config.
    static func isBuiltFieldIndexFile(_ path: String) -> Bool {
        path.hasPrefix("payload_index/") && path != PayloadIndexConfig.path
    }

    static func plan(current: SnapshotManifest, theirs all: SnapshotManifest) -> [String: [String]] {
        let theirs = relevant(all, current)
        var plan: [String: [String]] = [:]
        for (id, seg) in current.segments {
            let mine = theirs.segments[id]
            let send = seg.file_versions.keys.filter { seg.mustSend($0, to: mine, versionsKnown: theirs.versionsKnown) }.sorted()
            // Field-index files the requester built from `payload_index/config.json` at load
            // (qdb keeps none; Qdrant rebuilds them) are its own, not files qdb removed.
            let extra = (mine?.fileNames.subtracting(seg.file_versions.keys) ?? []).filter { !isBuiltFieldIndexFile($0) }
            if !send.isEmpty || !extra.isEmpty || mine == nil { plan[id] = send }
        }
        if plan.isEmpty, Set(theirs.segments.keys) != Set(current.segments.keys) {
            // The requester has segments this shard no longer has: send every segment's manifest
            // (no files) so recovery deletes them.
            for id in current.segments.keys { plan[id] = [] }
        }
        return plan
    }

    /// Streams the partial archive. Returns its metadata (also written as `qdb.json`).
    @discardableResult
    public func write(to sink: any ByteSink) throws -> ArchiveMetadata {
        let tar = try TarWriter(sink: sink)
        var digests: [FileDigest] = []
        digests.append(try tar.addFile("shard.json", fromDisk: capture.dir + "/shard.json"))
        for (id, seg) in current.segments.sorted(by: { $0.key < $1.key }) {
            let dir = capture.dir + "/segments/" + id
            let prefix = "segments/\(id)/files/"
            digests.append(try tar.addData(prefix + "segment_manifest.json", try seg.json()))
            for file in Segment.metadataFiles.sorted() where FileIO.exists(dir + "/" + file) {
                digests.append(try tar.addFile(prefix + file, fromDisk: dir + "/" + file))
            }
            for file in plan[id] ?? [] {
                digests.append(try tar.addFile(prefix + file, fromDisk: dir + "/" + file, known: capture.knownDigest(id, file)))
            }
        }
        digests += try CollectionSnapshotWriter.addShardTrailer(prefix: "", lastOp: capture.flushedSeq, to: tar)
        let meta = ArchiveMetadata(kind: .partial, collection: collection, shardID: shardID, points: capture.points, digests: digests)
        _ = try tar.addData(ArchiveMetadata.entryName, try .json(meta, pretty: true))
        try tar.finish()
        return meta
    }
}

extension Storage {
    /// The manifest of one shard's durable state (`GET …/snapshot/partial/manifest`).
    public func shardManifest(_ collection: String, shard id: Int) throws -> SnapshotManifest {
        let (c, shard) = try self.shard(collection, id)
        return try shard.manifest(collection: c.name)
    }

    /// Captures a shard and plans a partial snapshot for a requester holding `theirs`.
    ///
    /// - Throws: `SnapshotError(.badInput)` when the manifest names another collection or shard,
    ///   or claims operations newer than any this shard has applied (it is not of this shard's
    ///   history; sending a delta against it would be wrong).
    public func preparePartialSnapshot(_ collection: String, shard id: Int, against theirs: SnapshotManifest) throws -> PartialSnapshot {
        try theirs.validate()
        let (c, shard) = try self.shard(collection, id)
        for seg in theirs.segments.values {
            if let other = seg.collection, other != c.name || (seg.shard_id ?? id) != id {
                throw SnapshotError(
                    .badInput,
                    "manifest is of collection \(other) shard \(seg.shard_id.map(String.init) ?? "?"), not of collection \(c.name) shard \(id)")
            }
        }
        let scratch = tmpDir + "/partial-\(UUID().uuidString)"
        do {
            let capture = try shard.capture(into: scratch)
            let current = try Shard.manifest(ofShardDir: scratch, collection: c.name, shard: id)
            if theirs.versionsKnown, theirs.maxVersion > capture.flushedSeq {
                throw SnapshotError(
                    .badInput,
                    "manifest has version \(theirs.maxVersion), newer than the latest operation of shard \(id) of collection \(c.name) (\(capture.flushedSeq)): it does not come from this shard's history")
            }
            return PartialSnapshot(collection: c.name, shardID: id, capture: capture, scratch: scratch, current: current, theirs: theirs)
        } catch {
            FileIO.removeTree(scratch)
            throw error
        }
    }

    /// Applies a partial snapshot to one shard (reference §3.3), atomically.
    ///
    /// The archive is unpacked and checked in staging. A staged shard is then built from the
    /// snapshot's manifest: each segment file comes from the archive or, when the archive does
    /// not carry it, is hard-linked from the live shard, which must hold the same version (and
    /// contents, where both know the hash) — otherwise the snapshot was made against another
    /// manifest and is refused. Segments and files the snapshot's manifest no longer lists are
    /// left out; the WAL starts empty. The staged shard is test-opened and exchanged with the
    /// live one under its write lock. A failure or crash before the exchange changes nothing.
    @discardableResult
    public func recoverPartialShard(_ collection: String, shard id: Int, from source: any ByteSource, checksum: String?) throws -> ArchiveMetadata {
        let (c, shard) = try self.shard(collection, id)
        let staging = tmpDir + "/partial-recover-\(UUID().uuidString)"
        defer { FileIO.removeTree(staging) }
        let unpacked = staging + "/archive"
        let meta = try SnapshotUnpacker.unpack(source, into: unpacked, checksum: checksum, expecting: .partial)
        // An archive made by Qdrant names neither (no qdb.json): the segments it holds decide.
        let foreign = meta.files.isEmpty
        guard foreign || (meta.collection == c.name && meta.shard_id == id) else {
            throw SnapshotError(
                .badInput,
                "this partial snapshot is of collection \(meta.collection ?? "?") shard \(meta.shard_id.map(String.init) ?? "?"), not of collection \(c.name) shard \(id)")
        }
        let state = try PartialSnapshot.state(of: unpacked, foreign: foreign)
        let archived = Set(FileIO.listDirectory(unpacked + "/segments"))
        guard archived == Set(state.segments), state.segments.allSatisfy(SnapshotManifest.isSafeName) else {
            throw SnapshotError(.corrupt, "partial snapshot lists segments \(state.segments.sorted()) but holds \(archived.sorted())")
        }
        var theirs = SnapshotManifest()
        for seg in state.segments {
            let path = unpacked + "/segments/\(seg)/files/segment_manifest.json"
            guard FileIO.exists(path) else {
                throw SnapshotError(.corrupt, "segment \(seg) of the partial snapshot has no segment_manifest.json")
            }
            let m = try SnapshotError.decodeEntry(SegmentManifest.self, at: path, entry: "segments/\(seg)/files/segment_manifest.json")
            guard m.segment_id == seg else {
                throw SnapshotError(.corrupt, "segment_manifest.json in segment \(seg) is of segment \(m.segment_id)")
            }
            theirs.segments[seg] = m
        }
        do { try theirs.validate() } catch let e as SnapshotError { throw SnapshotError(.corrupt, "partial snapshot: \(e.message)") }

        let staged = staging + "/shard"
        try FileIO.makeDirectories(staged + "/segments")
        try FileIO.makeDirectories(staged + "/wal")
        var preloaded: [String: Segment] = [:]
        try shard.lock.read {
            let local = try shard.diskManifestLocked(collection: c.name)
            for (seg, m) in theirs.segments {
                let from = unpacked + "/segments/\(seg)/files"
                let to = staged + "/segments/" + seg
                try FileIO.makeDirectories(to)
                let carried = Set(Segment.files(under: from))
                let allowed = Set(m.file_versions.keys).union(Segment.metadataFiles).union(["segment_manifest.json"])
                if let stray = carried.subtracting(allowed).sorted().first {
                    throw SnapshotError(.corrupt, "partial snapshot carries segments/\(seg)/\(stray), which its manifest does not list")
                }
                guard carried.contains("segment.json") else {
                    throw SnapshotError(.corrupt, "segment \(seg) of the partial snapshot has no segment.json")
                }
                for file in m.file_versions.keys.sorted() + Segment.metadataFiles.filter(carried.contains).sorted() {
                    let dst = to + "/" + file
                    if file.contains("/") { try FileIO.makeDirectories((dst as NSString).deletingLastPathComponent) }
                    if carried.contains(file) {
                        guard rename(from + "/" + file, dst) == 0 else { throw FileIO.ioError("move \(from)/\(file)") }
                        continue
                    }
                    let have = local.segments[seg]
                    let sameVersion = have?.version(of: file) != nil && have?.version(of: file) == m.version(of: file)
                    // Both hashes known: equal contents suffice (a mutable file's version is the
                    // segment's, `null` in Qdrant's manifest, and differs between two copies that
                    // hold the same bytes); otherwise the versions must match.
                    let same: Bool
                    if let mine = have?.file_sha256?[file], let wanted = m.file_sha256?[file] {
                        same = have?.file_versions[file] != nil && mine == wanted
                    } else {
                        same = sameVersion
                    }
                    guard same else {
                        throw SnapshotError(
                            .badInput,
                            "partial snapshot does not carry segments/\(seg)/\(file) and this shard \(have?.file_versions[file] == nil ? "lacks it" : "holds another version of it"): the snapshot was made against another manifest; nothing was changed")
                    }
                    guard link(shard.segmentsDir + "/\(seg)/\(file)", dst) == 0 else { throw FileIO.ioError("link \(seg)/\(file)") }
                }
                try FileIO.syncDirectory(to)
                // Columns all linked from the live segment: share them instead of parsing again.
                let columnsCarried = carried.subtracting(Segment.metadataFiles).subtracting(["segment_manifest.json", Segment.deletedFile])
                if columnsCarried.isEmpty, let live = shard.segments.first(where: { $0.id == seg && $0.isSealed }) {
                    preloaded[seg] = try SnapshotError.staged { try live.reusingColumns(for: to) }
                }
            }
        }
        if foreign {
            // Qdrant has no shard.json: the snapshot's segments, numbered as its versions say.
            let last = theirs.segments.values.map(\.segment_version).max() ?? 0
            let stagedState = Shard.State(flushed_seq: max(last, state.flushed_seq), segments: state.segments)
            try FileIO.writeAtomically(try [UInt8].json(stagedState, pretty: true), to: staged + "/shard.json")
        } else {
            guard rename(unpacked + "/shard.json", staged + "/shard.json") == 0 else { throw FileIO.ioError("move shard.json") }
        }
        try FileIO.syncDirectory(staged + "/segments")
        try FileIO.syncDirectory(staged)
        // Test-open, and check the staged segments are the ones the manifest describes.
        let opened = try SnapshotError.staged {
            try Shard.open(
                id: id, dir: staged, schema: shard.schema, sealThreshold: shard.sealThreshold, logger: logger, preloaded: preloaded)
        }
        for seg in opened.segments where seg.isSealed {
            for (file, info) in seg.fileDigests {
                if let want = theirs.segments[seg.id]?.file_sha256?[file], want != info.sha256 {
                    throw SnapshotError(.corrupt, "segment \(seg.id) file \(file) does not match the partial snapshot's manifest")
                }
            }
        }
        Failpoint.pause("partial_before_swap")
        try shard.replace(with: staged, loaded: opened)
        return meta
    }
}
