import Foundation

/// One segment of a shard: columns of point ids, per-slot vectors, payloads and versions, plus a
/// deletion bitmap. The shard's appendable segment grows in memory (its durability is the WAL);
/// a sealed segment is an immutable directory on disk in Qdrant's layout whose only mutable
/// part is the deletion bitset `id_tracker.deleted`.
///
/// Not thread-safe: the owning `Shard` guards every access with its read/write lock.
final class Segment {
    let id: String
    /// Vector dimensions by slot (slot = index into the collection's sorted vector names).
    let dims: [Int]
    private(set) var ids: [PointID] = []
    /// Per slot, `count * dim` floats.
    private(set) var vectors: [FloatColumn]
    /// Per slot, whether each point has that vector (named vectors are optional per point).
    private(set) var present: [[Bool]]
    /// Per sparse slot (index into the collection's sorted sparse names), each point's sparse
    /// vector or nil; a column may be shorter than `count` (missing tail = nil). See `Segment+Sparse`.
    var sparse: [[SparseVector?]] = []
    /// Sealed segments only: an inverted index per sparse slot, built when the segment is sealed
    /// or loaded (never while readers hold the shard's read lock).
    var sparseIndex: [InvertedIndex] = []
    /// Sealed segments only: whether the sparse indexes are Qdrant's persisted ones (files under
    /// `vector_index-<name>/`, `ImmutableRam`/`Mmap` in `segment.json`) or `MutableRam`.
    var sparseIndexPersisted = false
    /// Per sparse slot, the live points that have a vector there (IDF's document count).
    var sparseLive: [Int] = []
    /// Per multivector slot, each point's inner vectors or nil; in a segment holding points,
    /// one column per multivector slot of the collection (see `Segment+Multi`).
    var multi: [[[[Float]]?]] = []
    private(set) var payloads = PayloadColumn()
    private(set) var versions: [UInt64] = []
    private(set) var deleted: [Bool] = []
    private(set) var liveCount = 0

    /// Sealed segments only: the op sequence number at which the segment was written.
    var createdVersion: UInt64 = 0
    /// The last op sequence number that changed the deletion bitmap.
    var deletedVersion: UInt64 = 0
    /// Whether `deleted` changed since it was last written to disk.
    var deletedDirty = false
    var isSealed = false
    /// Sealed segments only: size and SHA-256 of each file, recorded as it was written.
    var fileDigests: [String: ArchiveMetadata.FileInfo] = [:]
    /// Sealed segments only: the collection's vector names and distances the files were written with.
    var schema: SegmentSchema?
    /// Sealed segments read from Qdrant's files: their `segment.json` state (HNSW options and
    /// all), kept when qdb rewrites the versions.
    var state: SegmentState?
    /// Loaded from a layout qdb does not keep on disk (qdb 0.1, appendable, chunked): `load`
    /// rewrites it in the immutable layout before anything uses it.
    var needsRewrite = false
    /// Offsets that Qdrant's id tracker maps to no point (their slot reads as deleted); left
    /// out of the mappings when the segment is rewritten.
    var unmapped: Set<Int> = []
    /// Sealed segments only: HNSW graphs by vector slot (`Index/Segment+HNSW.swift`).
    var graphs: [Int: SegmentGraph] = [:]
    /// Sealed segments only: payload indexes and filtered-search counters (`Index/FilteredSearchPlan.swift`).
    let planner = SegmentPlanner()

    init(id: String = UUID().uuidString.lowercased(), dims: [Int]) {
        self.id = id
        self.dims = dims
        vectors = dims.map { _ in FloatColumn() }
        present = dims.map { _ in [] }
    }

    var count: Int { ids.count }

    /// The segment's version: the newest op it reflects.
    var version: UInt64 { max(createdVersion, deletedVersion) }

    /// Appends `point` (as an upsert writes it) and returns its offset.
    @discardableResult
    func append(_ point: SlotPoint, version: UInt64) -> Int {
        append(id: point.id, vectors: point.vectors, payload: point.payload, version: version, sparse: point.sparse, multi: point.multi)
    }

    /// The point at `off` with every vector kind it has and `payload` in place of its own: what a
    /// payload update of a sealed point copies into the appendable segment, and logs.
    func slotPoint(at off: Int, id: PointID, payload: Payload) -> SlotPoint {
        SlotPoint(id: id, vectors: vectors(at: off), payload: payload, sparse: sparseVectors(at: off), multi: multiVectors(at: off))
    }

    /// Appends a point and returns its offset. `vectors[slot]` is nil where the point lacks it.
    /// `sparse` and `multi` are required (pass `[]` for a collection without such vectors): a
    /// default let callers drop a point's sparse vectors or multivectors without a word.
    @discardableResult
    func append(
        id: PointID, vectors v: [[Float]?], payload: Payload, version: UInt64, sparse sv: [SparseVector?],
        multi mv: [[[Float]]?]
    ) -> Int {
        let off = ids.count
        appendSparse(sv, at: off)
        appendMulti(mv, at: off)
        ids.append(id)
        for slot in 0..<dims.count {
            if let vec = v[slot] {
                vectors[slot].append(contentsOf: vec)
                present[slot].append(true)
            } else {
                vectors[slot].append(contentsOf: repeatElement(0, count: dims[slot]))
                present[slot].append(false)
            }
        }
        payloads.append(payload)
        versions.append(version)
        deleted.append(false)
        liveCount += 1
        return off
    }

    /// A segment of its own holding this one's points at the same offsets, sharing the columns
    /// until either side changes them (copy on write): what a background seal writes to disk
    /// while writers go on deleting points of the original under the shard's lock.
    func frozenCopy() -> Segment {
        let s = Segment(dims: dims)
        s.ids = ids
        s.vectors = vectors
        s.present = present
        s.sparse = sparse
        s.sparseLive = sparseLive
        s.multi = multi
        s.payloads = payloads
        s.versions = versions
        s.deleted = deleted
        s.liveCount = liveCount
        return s
    }

    /// Appends `source`'s points at offsets `rows` as `append` would one by one, copying the
    /// dense columns in runs instead of building an array per vector (a seal's compaction of
    /// 100k points was most of the stall it put on writers). Rows without a vector read as
    /// zeros, as `append` writes them, whatever the source's file holds there.
    func appendRows(of source: Segment, _ rows: Range<Int>) {
        guard !rows.isEmpty else { return }
        if !source.sparse.isEmpty || !sparse.isEmpty || !source.multi.isEmpty || !multi.isEmpty {
            for (k, off) in rows.enumerated() {
                appendSparse(source.sparseVectors(at: off), at: ids.count + k)
                appendMulti(source.multiVectors(at: off), at: ids.count + k)
            }
        }
        ids.append(contentsOf: source.ids[rows])
        for slot in 0..<dims.count {
            let d = dims[slot], has = source.present[slot]
            source.vectors[slot].withUnsafeBufferPointer { from in
                var run = rows.lowerBound
                while run < rows.upperBound {
                    var stop = run
                    while stop < rows.upperBound, has[stop] == has[run] { stop += 1 }
                    if has[run] {
                        vectors[slot].append(contentsOf: from[(run * d)..<(stop * d)])
                    } else {
                        vectors[slot].append(contentsOf: repeatElement(0, count: (stop - run) * d))
                    }
                    run = stop
                }
            }
            present[slot].append(contentsOf: has[rows])
        }
        for off in rows { payloads.append(source.payloads[off]) }
        versions.append(contentsOf: source.versions[rows])
        deleted.append(contentsOf: repeatElement(false, count: rows.count))
        liveCount += rows.count
    }

    func markDeleted(_ off: Int, version: UInt64) {
        guard !deleted[off] else { return }
        deleted[off] = true
        liveCount -= 1
        sparseDidDelete(off)
        if isSealed {
            deletedVersion = max(deletedVersion, version)
            deletedDirty = true
        }
    }

    /// Replaces a payload in place (appendable segments only).
    func setPayload(_ off: Int, _ payload: Payload, version: UInt64) {
        precondition(!isSealed, "sealed segments are immutable")
        payloads.set(off, payload)
        versions[off] = version
    }

    func vector(slot: Int, at off: Int) -> [Float]? {
        guard present[slot][off] else { return nil }
        let d = dims[slot]
        return vectors[slot][(off * d)..<(off * d + d)]
    }

    func vectors(at off: Int) -> [[Float]?] {
        (0..<dims.count).map { vector(slot: $0, at: off) }
    }

    /// Dense slots first, then multivector slots, then sparse slots, as `Collection.filterVectorNames`.
    func hasVector(slot: Int, at off: Int) -> Bool {
        if slot < present.count { return present[slot][off] }
        let s = slot - present.count
        return s < multi.count ? multiVector(slot: s, at: off) != nil : sparseVector(slot: s - multi.count, at: off) != nil
    }

    /// Calls `body` with raw views of the columns a search scan reads, so the hot loop does no
    /// array bounds, exclusivity or reference-count work per point.
    func withScanColumns<R>(
        slot: Int,
        _ body: (UnsafeBufferPointer<Bool>, UnsafeBufferPointer<Bool>, UnsafePointer<Float>) throws -> R
    ) rethrows -> R {
        try deleted.withUnsafeBufferPointer { del in
            try present[slot].withUnsafeBufferPointer { pres in
                try vectors[slot].withUnsafeBufferPointer { vec in
                    try body(del, pres, vec.baseAddress ?? UnsafePointer(bitPattern: 16)!)
                }
            }
        }
    }

    /// Calls `body` with a pointer to slot `slot`'s contiguous floats.
    func withVectors<R>(slot: Int, _ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try vectors[slot].withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 16)!) }
    }

    /// A new unsealed segment holding only this segment's live points.
    func compacted(keepingID: Bool = false) -> Segment {
        let s = keepingID ? Segment(id: id, dims: dims) : Segment(dims: dims)
        s.appendPoints(of: self, keeping: deleted.map { !$0 })
        return s
    }

    /// Replaces the vector columns with equal ones stored elsewhere (the sealed files' mappings).
    func useVectors(_ columns: [FloatColumn]) {
        precondition(columns.count == vectors.count && zip(columns, vectors).allSatisfy { $0.count == $1.count })
        vectors = columns
    }

    /// Restores loaded columns (used by `Segment+Disk`).
    func load(
        ids: [PointID], vectors: [FloatColumn], present: [[Bool]], payloads: PayloadColumn,
        versions: [UInt64], deleted: [Bool]
    ) {
        self.ids = ids
        self.vectors = vectors
        self.present = present
        self.payloads = payloads
        self.versions = versions
        self.deleted = deleted
        liveCount = deleted.lazy.filter { !$0 }.count
    }
}
