import Foundation

/// Reading a segment directory in Qdrant's layout (reference §2, §3.2): every layout Qdrant
/// 1.18–1.19 writes for dense vectors and payloads.
///
/// - vectors: single-file `matrix.dat` (mapped in place, after its size is checked) or chunked
///   `vectors/chunk_<n>.mmap` (copied; the segment is then rewritten in the immutable layout on
///   its next write), `Empty` storage (every vector absent);
/// - id tracker: immutable `id_tracker.*` or the appendable `mutable_id_tracker.*` log;
/// - payloads: gridstore, LZ4 or uncompressed, JSON values;
/// - `vector_index[-<name>]/` (HNSW) files are not read; they stay in the directory and travel
///   with the segment, so Qdrant loads the same graph again.
///
/// Errors name files relative to the segment (`segment <id>: vector_storage/matrix.dat: …`).
extension Segment {
    static func loadQdrant(from dir: String, schema: SegmentSchema) throws -> Segment {
        let id = (dir as NSString).lastPathComponent
        do {
            return try readQdrant(dir, id: id, schema: schema)
        } catch let e as SegmentFormatError {
            throw StorageError(e.code == .unsupported ? .badInput : .corrupt, "segment \(id) is damaged: \(e)")
        }
    }

    private static func readQdrant(_ dir: String, id: String, schema: SegmentSchema) throws -> Segment {
        _ = try SegmentVersionInfo.read(validating: try SegmentFiles.readSmall(dir + "/" + SegmentVersionInfo.fileName, SegmentVersionInfo.fileName, limit: 64))
        let json = try SegmentFiles.readSmall(dir + "/" + SegmentState.fileName, SegmentState.fileName)
        let state = try SegmentState.read(validating: json)
        let qdbMeta = try? SegmentMeta.decode(segmentJSON: json)
        let names = Set(state.config.vector_data.keys)
        // A segment written before a named vector was added or removed (`Storage+NamedVectors`)
        // may lack or have the vectors `schema.tolerated` names; it is rewritten in the schema.
        let all = Set(schema.names + schema.multiNames)
        let reshaped = names != all
        guard names.symmetricDifference(all).isSubset(of: schema.tolerated) else {
            throw SegmentFormatError(.corrupt, SegmentState.fileName, "has vectors \(names.sorted().map { "\"\($0)\"" }), the collection has \(all.sorted().map { "\"\($0)\"" })")
        }
        try schema.checkMulti(state.config)
        let sparseNames = try SegmentSchema.sparseParams(of: state.config).map(\.name)
        let sparseReshaped = sparseNames != schema.sparseNames
        guard Set(sparseNames).symmetricDifference(schema.sparseNames).isSubset(of: schema.tolerated) else {
            throw SegmentFormatError(.corrupt, SegmentState.fileName, "has sparse vectors \(sparseNames.map { "\"\($0)\"" }), the collection has \(schema.sparseNames.map { "\"\($0)\"" })")
        }
        var rewrite = reshaped || sparseReshaped
        var columns: [FloatColumn] = []
        var absent: [[Bool]?] = []
        var counts: [Int] = []
        for (slot, name) in schema.names.enumerated() {
            guard let v = state.config.vector_data[name] else {
                columns.append(FloatColumn())
                absent.append(nil)  // added after this segment was written: every vector absent
                continue
            }
            guard v.size == schema.dims[slot], v.distance == schema.distances[slot] else {
                throw SegmentFormatError(.corrupt, SegmentState.fileName, "vector \"\(name)\" is \(v.size)-d \(v.distance.rawValue), the collection's is \(schema.dims[slot])-d \(schema.distances[slot].rawValue)")
            }
            let dt = v.storedDatatype
            guard dt == schema.datatype(slot) else {
                throw SegmentFormatError(.corrupt, SegmentState.fileName, "vector \"\(name)\" is stored as \(dt.rawValue), the collection's as \(schema.datatype(slot).rawValue)")
            }
            let sub = SegmentSchema.storageDir(name)
            if v.storage_type.isSingleFile {
                let path = dir + "/" + sub + "/" + DenseMatrixFile.matrixFile
                let m = try SegmentFiles.map(path, sub + "/" + DenseMatrixFile.matrixFile)
                let n = try SegmentFormatError.rethrow(under: sub) { try m.withBytes { try DenseMatrixFile.count(validatingMatrix: $0, dim: v.size, elementSize: dt.elementSize) } }
                columns.append(try FloatColumn(matrix: path, mapped: m, datatype: dt, floats: n * v.size))
                let del = try SegmentFiles.map(dir + "/" + sub + "/" + DenseMatrixFile.deletedFile, sub + "/" + DenseMatrixFile.deletedFile)
                absent.append(try SegmentFormatError.rethrow(under: sub) { try del.withBytes { try DenseMatrixFile.readDeleted(validating: $0, count: n) } })
                counts.append(n)
            } else if v.storage_type.isChunked {
                let (n, floats) = try ChunkedVectors.read(dir: dir + "/" + sub + "/vectors", dim: v.size, relative: sub + "/vectors", datatype: dt)
                let flags = try DynamicStoredFlags.read(dir: dir + "/" + sub + "/deleted", relative: sub + "/deleted", upTo: n)
                columns.append(FloatColumn(floats))
                absent.append(flags + [Bool](repeating: false, count: max(0, n - flags.count)))
                counts.append(n)
                rewrite = true
            } else {
                columns.append(FloatColumn())
                absent.append(nil)  // Empty storage: every vector absent, sized below
                rewrite = true
            }
        }
        let stored = counts.max()
        guard counts.allSatisfy({ $0 == stored }) else {
            throw SegmentFormatError(.corrupt, "vector_storage", "the vectors of this segment hold different point counts \(counts)")
        }
        let ids: [PointID?], versions: [UInt64], deleted: [Bool]
        // A segment with sparse vectors only reads as appendable from segment.json alone (a
        // MutableRam sparse index is appendable); the immutable id tracker qdb writes says it is not.
        let appendable = state.isAppendable && !FileIO.exists(dir + "/" + ImmutableIDTracker.mappingsFile)
        if appendable, (stored ?? 0) == 0, !FileIO.exists(dir + "/" + MutableIDTracker.mappingsFile) {
            // The empty appendable segment Qdrant's optimizer leaves beside the ones it built has
            // no id tracker files yet.
            (ids, versions, deleted) = ([], [], [])
            rewrite = true
        } else if appendable {
            let m = try SegmentFiles.map(dir + "/" + MutableIDTracker.mappingsFile, MutableIDTracker.mappingsFile)
            let vs = try SegmentFiles.map(dir + "/" + MutableIDTracker.versionsFile, MutableIDTracker.versionsFile)
            let t = try m.withBytes { mm in try vs.withBytes { try MutableIDTracker.read(validating: mm, versions: $0, pointCount: stored) } }
            (ids, versions, deleted) = (t.ids, t.versions, t.ids.map { $0 == nil })
            rewrite = true
        } else {
            guard !FileIO.exists(dir + "/id_tracker.i2e") else {
                throw SegmentFormatError(.unsupported, "id_tracker.i2e", "the on-disk id tracker of serverless builds is not read")
            }
            let m = try SegmentFiles.map(dir + "/" + ImmutableIDTracker.mappingsFile, ImmutableIDTracker.mappingsFile)
            let vs = try SegmentFiles.map(dir + "/" + ImmutableIDTracker.versionsFile, ImmutableIDTracker.versionsFile)
            let ds = try SegmentFiles.map(dir + "/" + ImmutableIDTracker.deletedFile, ImmutableIDTracker.deletedFile)
            let t = try m.withBytes { mm in try vs.withBytes { vv in try ds.withBytes { try ImmutableIDTracker.read(validating: mm, versions: vv, deleted: $0, pointCount: stored) } } }
            (ids, versions, deleted) = (t.ids, t.versions, zip(t.ids, t.deleted).map { $0 == nil || $1 })
        }
        let n = ids.count
        let grid = try SegmentFormatError.rethrow(under: Gridstore.directory) { try Gridstore.Reader(dir: dir + "/" + Gridstore.directory, count: n) }
        let payloads = PayloadColumn(gridstore: grid, segment: id, skip: deleted)
        let seg = Segment(id: id, dims: schema.dims)
        var present: [[Bool]] = []
        for slot in schema.dims.indices {
            if let a = absent[slot] {
                present.append(a.map { !$0 })
            } else {
                columns[slot] = FloatColumn([Float](repeating: 0, count: n * schema.dims[slot]))
                present.append([Bool](repeating: false, count: n))
            }
        }
        seg.load(ids: ids.map { $0 ?? .number(0) }, vectors: columns, present: present, payloads: payloads, versions: versions, deleted: deleted)
        seg.unmapped = Set(ids.indices.filter { ids[$0] == nil })
        seg.loadSparse(try readSparse(from: dir, schema: schema, count: n, present: Set(sparseNames)))
        seg.schema = schema
        if try seg.loadSparseIndexes(dir: dir, schema: schema, config: state.config, skipping: rewrite) { rewrite = true }
        seg.loadMulti(try readMulti(from: dir, schema: schema, count: n, present: Set(SegmentSchema.multiParams(of: state.config).map(\.name))))
        let version = state.version ?? versions.max() ?? 0
        seg.createdVersion = qdbMeta?.created_version ?? state.initial_version ?? version
        seg.deletedVersion = qdbMeta?.deleted_version ?? version
        seg.schema = schema
        // A reshaped segment's segment.json is written afresh from the schema (its graphs, by
        // the old vectors, are rebuilt by the optimizer).
        seg.state = reshaped || sparseReshaped ? nil : state
        seg.needsRewrite = rewrite
        seg.isSealed = true
        if let qdbMeta, !rewrite {
            try seg.takeDigests(from: qdbMeta, dir: dir)
        } else if !rewrite {
            try seg.takeDigests(from: try SegmentMeta.derived(segmentDir: dir, bytes: json), dir: dir)
        }
        return seg
    }
}

extension SegmentFormatError {
    /// Rethrows a reader's error with its file placed under `prefix`.
    static func rethrow<T>(under prefix: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as SegmentFormatError { throw e.under(prefix) }
    }
}

extension Shard {
    /// Decodes every sealed segment's payloads now, throwing on the first damaged value: archives
    /// made by Qdrant carry no digests, so this is how their payload pages are checked.
    func checkPayloads() throws {
        try lock.read {
            for seg in segments where seg.isSealed {
                do { try seg.payloads.check() } catch { throw StorageError(.corrupt, "segment \(seg.id) is damaged: \(error)") }
            }
        }
    }
}
