import CQDBSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// qdb's own record of a sealed segment, kept under the key `"qdb"` of the segment's
/// `segment.json` (Qdrant's `SegmentState` ignores unknown keys, and drops this one when it
/// rewrites the file: the segment is then read as any Qdrant segment).
struct SegmentMeta: Codable {
    var id: String
    /// 1: qdb 0.1's own files (`ids.bin`, …); 2: Qdrant's layout.
    var format: Int = 2
    var version: UInt64
    var created_version: UInt64
    var deleted_version: UInt64
    var points: Int
    var live_points: Int
    var dims: [Int]
    /// Each file's version (paths relative to the segment): `created_version`, except the
    /// deletion bitset, which carries `deleted_version`.
    var file_versions: [String: UInt64]
    /// Each file's SHA-256 and size, taken as it was written.
    var file_sha256: [String: String]?
    var file_sizes: [String: Int]?

    /// The meta of the sealed segment directory `dir`: qdb's record in `segment.json`, qdb 0.1's
    /// `segment.json`, or, for a segment Qdrant wrote, one derived from its files.
    static func read(segmentDir dir: String) throws -> SegmentMeta {
        let bytes: [UInt8]
        do {
            bytes = try SegmentFiles.readSmall(dir + "/segment.json", "segment.json")
        } catch {
            throw StorageError(.corrupt, "segment \(Segment.displayName(dir)) is damaged: \(error)")
        }
        if let meta = try decode(segmentJSON: bytes) { return meta }
        return try derived(segmentDir: dir, bytes: bytes)
    }

    /// qdb's record in a `segment.json` (either format), or nil when Qdrant wrote the file.
    static func decode(segmentJSON bytes: [UInt8]) throws -> SegmentMeta? {
        struct Wrapped: Decodable { var qdb: SegmentMeta? }
        struct Legacy: Decodable { var format: Int? }
        if let legacy = try? JSONDecoder().decode(Legacy.self, from: Data(bytes)), legacy.format == 1 {
            do {
                return try JSONDecoder().decode(SegmentMeta.self, from: Data(bytes))
            } catch {
                throw StorageError(.corrupt, "segment.json (qdb 0.1) is unreadable: \(SegmentState.describe(error))")
            }
        }
        do {
            return try JSONDecoder().decode(Wrapped.self, from: Data(bytes)).qdb
        } catch {
            throw StorageError(.corrupt, "segment.json: qdb's record is unreadable: \(SegmentState.describe(error))")
        }
    }

    /// The meta of a segment Qdrant wrote: every file at the segment's version.
    static func derived(segmentDir dir: String, bytes: [UInt8]) throws -> SegmentMeta {
        let state: SegmentState
        do {
            state = try SegmentState.read(validating: bytes)
        } catch {
            throw StorageError(.corrupt, "segment \((dir as NSString).lastPathComponent) is damaged: \(error)")
        }
        let v = state.version ?? 0
        var fv: [String: UInt64] = [:]
        for f in Segment.files(under: dir) where !Segment.metadataFiles.contains(f) { fv[f] = v }
        return SegmentMeta(
            id: (dir as NSString).lastPathComponent, version: v, created_version: state.initial_version ?? v,
            deleted_version: v, points: 0, live_points: 0, dims: [], file_versions: fv)
    }
}

/// `segment.json` as qdb writes it: Qdrant's `SegmentState` with qdb's record beside it.
private struct SegmentJSON: Encodable {
    var state: SegmentState
    var qdb: SegmentMeta

    enum Key: String, CodingKey { case qdb }

    func encode(to encoder: Encoder) throws {
        try state.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(qdb, forKey: .qdb)
    }
}

extension Segment {
    /// The file the seal-time deletion bitset lives in (the only file qdb rewrites after a seal).
    static let deletedFile = ImmutableIDTracker.deletedFile

    /// The files a segment's manifest does not list (Qdrant's `SegmentManifest` has neither):
    /// every partial snapshot carries them for each segment it names.
    static let metadataFiles: Set<String> = [SegmentState.fileName, SegmentVersionInfo.fileName]

    var meta: SegmentMeta {
        let listed = fileDigests.filter { !Segment.metadataFiles.contains($0.key) }
        var fv: [String: UInt64] = [:]
        for f in listed.keys { fv[f] = f == Segment.deletedFile || f == MutableIDTracker.mappingsFile ? deletedVersion : createdVersion }
        return SegmentMeta(
            id: id, version: version, created_version: createdVersion, deleted_version: deletedVersion,
            points: count, live_points: liveCount, dims: dims, file_versions: fv,
            file_sha256: listed.mapValues(\.sha256), file_sizes: listed.mapValues(\.size))
    }

    /// This sealed segment's manifest (reference §3.1) as its `segment.json` on disk says.
    static func manifest(of meta: SegmentMeta, collection: String, shard: Int) -> SegmentManifest {
        SegmentManifest(
            segment_id: meta.id, segment_version: max(meta.created_version, meta.deleted_version),
            file_versions: meta.file_versions.mapValues { Optional($0) }, file_sha256: meta.file_sha256,
            file_sizes: meta.file_sizes, collection: collection, shard_id: shard)
    }

    /// Writes `bytes` to `path` and fsyncs it (shard.json copies, checksum sidecars).
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try SegmentFiles.write(path, bytes)
    }

    /// Every regular file under `dir`, as paths relative to it, sorted.
    static func files(under dir: String, prefix: String = "") -> [String] {
        var out: [String] = []
        for name in FileIO.listDirectory(dir + (prefix.isEmpty ? "" : "/" + prefix)) {
            let rel = prefix.isEmpty ? name : prefix + "/" + name
            if FileIO.isDirectory(dir + "/" + rel) { out += files(under: dir, prefix: rel) } else { out.append(rel) }
        }
        return out.sorted()
    }

    /// The `segment.json` bytes for this segment's current versions.
    func segmentJSON() throws -> [UInt8] {
        var state = self.state ?? SegmentState(initialVersion: nil, version: nil, config: schema!.immutableConfig)
        // What qdb writes is the single-file layout, whatever layout the segment was read from.
        for (name, var v) in state.config.vector_data where !v.storage_type.isSingleFile {
            v.storage_type = .inRamMmap
            state.config.vector_data[name] = v
        }
        applyGraphState(&state)
        state.initial_version = createdVersion
        state.version = version
        // Sparse vectors are always the storage qdb wrote, with the index it has (`Segment+Sparse`).
        state.config.sparse_vector_data = schema?.sparseVectorData(persisted: sparseIndexPersisted)
        return try .json(SegmentJSON(state: state, qdb: meta), pretty: true)
    }

    /// Writes this segment as a new sealed directory `segmentsDir/<id>` in Qdrant's immutable
    /// layout (reference §3.1), built as `<id>.tmp`, fsynced, then renamed (or, with `replacing`,
    /// exchanged with the existing directory of that id, which is then removed):
    ///
    ///     segment.json  version.info  id_tracker.{mappings,versions,deleted}
    ///     vector_storage[-<name>]/{matrix.dat,deleted.dat}   per vector; deleted = vector absent
    ///     payload_storage/{config.json,tracker.dat,page_<n>.dat,bitmask.dat,gaps.dat}   LZ4
    ///     payload_index/config.json   the collection's indexed fields
    ///
    /// Marks the segment sealed at `version` (or keeps its versions with `replacing`).
    func writeSealed(
        to segmentsDir: String, version: UInt64?, schema: SegmentSchema, indexedFields: [String: JSONValue] = [:],
        replacing: Bool = false, keepGraphs: Bool = false
    ) throws {
        precondition(schema.dims == dims)
        if let version {
            createdVersion = version
            deletedVersion = 0
        }
        self.schema = schema
        sparseIndexPersisted = true
        let final = segmentsDir + "/" + id
        if !replacing { state = nil }
        if replacing, var st = state {
            // Quantized data is not rewritten; an HNSW graph whose files are gone cannot be named.
            for (name, var v) in st.config.vector_data {
                v.quantization_config = nil
                if case .hnsw = v.index, !keepGraphs || !FileIO.isDirectory(final + "/" + SegmentSchema.indexDir(name)) { v.index = .plain }
                st.config.vector_data[name] = v
            }
            state = st
        }
        let tmp = final + ".tmp"
        var built: [InvertedIndex] = []
        FileIO.removeTree(tmp)
        try FileIO.makeDirectories(tmp)
        do {
            try SegmentFiles.write(tmp + "/" + SegmentVersionInfo.fileName, SegmentVersionInfo.write())
            let tracker = ImmutableIDTracker(ids: (0..<count).map { unmapped.contains($0) ? nil : ids[$0] }, versions: versions, deleted: deleted).write()
            try SegmentFiles.write(tmp + "/" + ImmutableIDTracker.mappingsFile, tracker.mappings)
            try SegmentFiles.write(tmp + "/" + ImmutableIDTracker.versionsFile, tracker.versions)
            try SegmentFiles.write(tmp + "/" + ImmutableIDTracker.deletedFile, tracker.deleted)
            for slot in dims.indices {
                let vdir = tmp + "/" + SegmentSchema.storageDir(schema.names[slot])
                try FileIO.makeDirectories(vdir)
                try writeMatrix(slot: slot, to: vdir + "/" + DenseMatrixFile.matrixFile)
                try SegmentFiles.write(vdir + "/" + DenseMatrixFile.deletedFile, DenseMatrixFile.writeDeleted(present[slot].map { !$0 }))
            }
            built = try writeSparse(to: tmp, schema: schema)
            try writeMulti(to: tmp, schema: schema)
            try Gridstore.write(payloads.all.map { $0.isEmpty ? nil : PayloadJSON.encode($0) }, to: tmp + "/" + Gridstore.directory, preallocate: schema.preallocatesGridstores)
            try FileIO.makeDirectories(tmp + "/payload_index")
            try SegmentFiles.write(tmp + "/" + PayloadIndexConfig.path, try PayloadIndexConfig(indexedFields: indexedFields).write())
            if replacing, keepGraphs { try carryIndexFiles(from: final, to: tmp) }
            try writeGraphs(into: tmp)
            fileDigests = [:]
            for f in Segment.files(under: tmp) {
                let (size, sha) = try SHA256Hasher.digest(ofFile: tmp + "/" + f)
                fileDigests[f] = ArchiveMetadata.FileInfo(size: size, sha256: sha)
            }
            try SegmentFiles.write(tmp + "/" + SegmentState.fileName, try segmentJSON())
            try FileIO.syncTree(tmp)
            if replacing {
                guard qdb_rename_exchange(tmp, final) == 0 else { throw FileIO.ioError("exchange \(tmp) with \(final)") }
                try FileIO.syncDirectory(segmentsDir)
                FileIO.removeTree(tmp)
            } else {
                guard rename(tmp, final) == 0 else { throw FileIO.ioError("rename \(tmp)") }
                try FileIO.syncDirectory(segmentsDir)
            }
        } catch {
            FileIO.removeTree(tmp)
            throw error
        }
        isSealed = true
        deletedDirty = false
        needsRewrite = false
        // From now on the vectors are read from the immutable files just written (still in the
        // page cache), which frees the process's own copy.
        // (f16 and u8 columns stay in memory as floats: `FloatColumn` maps f32 only.)
        if !schema.datatypes.contains(where: { $0 != .float32 }), let mapped = try? dims.indices.map({
            try FloatColumn(mapping: final + "/" + SegmentSchema.storageDir(schema.names[$0]) + "/" + DenseMatrixFile.matrixFile,
                            offset: DenseMatrixFile.dataOffset, floats: count * dims[$0])
        }) {
            useVectors(mapped)
        }
        sparseIndex = built
    }

    private func writeMatrix(slot: Int, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.ioError("create \(path)") }
        defer { close(fd) }
        try FileIO.writeAll(fd: fd, DenseMatrixFile.matrixHeader())
        if let dt = schema?.datatype(slot), dt != .float32 {
            try vectors[slot].encoded(as: dt).withUnsafeBytes { try FileIO.writeAll(fd: fd, $0) }
        } else {
            try vectors[slot].withUnsafeBytes { try FileIO.writeAll(fd: fd, $0) }
        }
        // Only started here: `writeSealed`'s `syncTree` waits for it, after the other files and
        // the digests, which the disk's writeback then overlaps (a seal holds the write lock).
        _ = qdb_start_writeback(fd, 0, 0)
    }

    /// HNSW graphs Qdrant built (`vector_index[-<name>]/`) travel with a segment qdb rewrites
    /// when its `segment.json` still says HNSW and the rewrite kept every internal id (links are
    /// by internal id).
    private func carryIndexFiles(from old: String, to new: String) throws {
        guard let state, let schema else { return }
        for name in schema.names {
            guard case .hnsw = state.config.vector_data[name]?.index else { continue }
            let sub = SegmentSchema.indexDir(name)
            guard FileIO.isDirectory(old + "/" + sub) else { continue }
            try FileIO.makeDirectories(new + "/" + sub)
            for f in Segment.files(under: old + "/" + sub) {
                try FileIO.makeDirectories(((new + "/" + sub + "/" + f) as NSString).deletingLastPathComponent)
                guard link(old + "/" + sub + "/" + f, new + "/" + sub + "/" + f) == 0 else { throw FileIO.ioError("link \(sub)/\(f)") }
            }
        }
    }

    /// Persists a changed deletion bitset and the `segment.json` that records its version, each
    /// by rename (a snapshot's hard links keep the old inodes).
    func writeDeletions(in segmentsDir: String) throws {
        guard deletedDirty else { return }
        let dir = segmentsDir + "/" + id
        let bits = SegmentBytes.packWords(deleted)
        try FileIO.writeAtomically(bits, to: dir + "/" + Segment.deletedFile)
        fileDigests[Segment.deletedFile] = ArchiveMetadata.FileInfo(size: bits.count, sha256: SHA256Hasher.hexDigest(of: bits))
        try writeMutableTrackerDeletions(in: dir)
        try FileIO.writeAtomically(try segmentJSON(), to: dir + "/" + SegmentState.fileName)
        deletedDirty = false
    }

    /// A segment directory as messages show it: `segments/<id>`, never the server's absolute path.
    static func displayName(_ dir: String) -> String {
        let parts = dir.split(separator: "/")
        return parts.suffix(2).joined(separator: "/")
    }

    /// Checks every count `segment.json` declares against the real sizes of the files that must
    /// hold it (the bounds policy, `Bounds`), before anything is allocated or mapped for it: a
    /// `points` or `dims` value the files cannot back throws `BoundsError`.
    static func checkBounds(_ meta: SegmentMeta, dir: String) throws {
        func size(_ name: String) throws -> Int {
            do { return try FileIO.size(dir + "/" + name) } catch { throw BoundsError(name, "is missing or unreadable") }
        }
        let n = try Bounds.count(meta.points, minimumRecordSize: 9, available: try size("ids.bin"), what: "segment.json `points`")
        guard meta.live_points >= 0, meta.live_points <= n else { throw BoundsError("segment.json `live_points`", "is \(meta.live_points), outside 0...\(n)") }
        try Bounds.exactSize(try size("versions.bin"), expected: try Bounds.byteSize(count: n, stride: 8, what: "versions.bin"), what: "versions.bin")
        try Bounds.count(n, minimumRecordSize: 5, available: try size("payloads.bin"), what: "segment.json `points` (payloads.bin)")
        try Bounds.exactSize(try size("deleted.bin"), expected: (n + 7) / 8, what: "deleted.bin")
        for (slot, d) in meta.dims.enumerated() {
            guard d > 0 else { throw BoundsError("segment.json `dims`", "has a vector size of \(d)") }
            let floats = try Bounds.byteSize(count: n, stride: d, what: vectorFile(slot))
            let bytes = try Bounds.byteSize(count: floats, stride: MemoryLayout<Float>.stride, what: vectorFile(slot))
            try Bounds.exactSize(try size(vectorFile(slot)), expected: bytes, what: vectorFile(slot))
            try Bounds.exactSize(try size(presentFile(slot)), expected: n, what: presentFile(slot))
        }
    }

    /// Takes the file digests `segment.json` records, or computes them from the files in `dir`
    /// for a segment whose `segment.json` does not record them.
    func takeDigests(from meta: SegmentMeta, dir: String) throws {
        fileDigests = [:]
        if let sha = meta.file_sha256, let sizes = meta.file_sizes, Set(sha.keys) == Set(meta.file_versions.keys) {
            for (name, h) in sha { fileDigests[name] = ArchiveMetadata.FileInfo(size: sizes[name] ?? 0, sha256: h) }
        } else {
            for name in meta.file_versions.keys {
                let (size, sha) = try SHA256Hasher.digest(ofFile: dir + "/" + name)
                fileDigests[name] = ArchiveMetadata.FileInfo(size: size, sha256: sha)
            }
        }
    }

    /// The sealed segment laid out in `dir` whose column files are this segment's own (hard
    /// links of them, at the same versions), sharing this segment's columns copy-on-write and
    /// reading only `segment.json` and the deletion bitset from `dir`: a partial recovery then
    /// does not parse unchanged segments again. The caller holds the owning shard's lock.
    func reusingColumns(for dir: String) throws -> Segment {
        let meta = try SegmentMeta.read(segmentDir: dir)
        let bits = try FileIO.readAll(dir + "/" + Segment.deletedFile)
        guard meta.id == id, meta.format == 2, meta.points == count, meta.dims == dims, bits.count >= (count + 7) / 8 else {
            throw StorageError(.corrupt, "segment \(id) does not match the columns it shares with the live segment")
        }
        let seg = Segment(id: id, dims: dims)
        seg.load(ids: ids, vectors: vectors, present: present, payloads: payloads, versions: versions,
                 deleted: bits.withUnsafeBytes { SegmentBytes.bits($0, count: count) })
        seg.shareSparse(from: self)
        seg.multi = multi
        seg.createdVersion = meta.created_version
        seg.deletedVersion = meta.deleted_version
        seg.schema = schema
        seg.state = state
        seg.graphs = graphs
        try seg.takeDigests(from: meta, dir: dir)
        seg.isSealed = true
        return seg
    }

    /// Loads a sealed segment directory in any layout qdb reads: Qdrant's (immutable, appendable,
    /// 1.18's chunked immutable; see `Segment+Qdrant`) or qdb 0.1's own files, which are
    /// rewritten in Qdrant's layout on the spot (crash-safe: built aside, then exchanged).
    static func load(from dir: String, schema: SegmentSchema) throws -> Segment {
        let seg: Segment
        if FileIO.exists(dir + "/ids.bin") {
            seg = try loadLegacy(from: dir)
            guard seg.dims == schema.dims else { return seg }  // the caller reports the mismatch
        } else {
            seg = try loadQdrant(from: dir, schema: schema)
        }
        let loaded = seg.needsRewrite ? try seg.rewritten(in: (dir as NSString).deletingLastPathComponent, schema: schema) : seg
        try loaded.loadGraphs(dir: dir)
        return loaded
    }

    /// This segment's live points as a segment of the same id, written in the immutable layout
    /// over this one's directory. Qdrant needs internal ids dense (they index every storage
    /// alike), so slots of deleted or unmapped points are dropped; HNSW graphs are kept only
    /// when no slot was.
    private func rewritten(in segmentsDir: String, schema: SegmentSchema) throws -> Segment {
        let dense = liveCount == count
        let fresh = dense ? self : compacted(keepingID: true)
        fresh.createdVersion = createdVersion
        fresh.deletedVersion = deletedVersion
        fresh.state = state
        fresh.isSealed = true
        try fresh.writeSealed(to: segmentsDir, version: nil, schema: schema, replacing: true, keepGraphs: dense)
        return fresh
    }
}
