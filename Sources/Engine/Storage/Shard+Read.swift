/// A point as read out of a shard: vectors by slot.
struct PointView {
    var id: PointID
    var version: UInt64
    var payload: Payload
    var vectors: [[Float]?]
    /// By sparse slot; empty when vectors were not asked for.
    var sparse: [SparseVector?] = []
    /// By multivector slot; empty when vectors were not asked for.
    var multi: [[[Float]]?] = []
}

extension Shard {
    private func view(_ loc: Location, vectors: Bool) -> PointView {
        let seg = segments[Int(loc.seg)]
        let off = Int(loc.off)
        return PointView(
            id: seg.ids[off], version: seg.versions[off], payload: seg.payloads[off],
            vectors: vectors ? seg.vectors(at: off) : [], sparse: vectors ? seg.sparseVectors(at: off) : [],
            multi: vectors ? seg.multiVectors(at: off) : [])
    }

    /// The points with these ids that exist, in the given order.
    func retrieve(_ ids: [PointID], vectors: Bool) -> [PointView] {
        lock.read {
            ids.compactMap { id in index[id].map { view($0, vectors: vectors) } }
        }
    }

    /// Live points passing `filter`, sorted by id, starting at `offset` (inclusive); at most `limit`.
    func scroll(filter: Filter?, from offset: PointID?, limit: Int, vectors: Bool) -> [PointView] {
        lock.read {
            var hits: [(PointID, Location)] = []
            let passes = filter.map(matcher)
            for (id, loc) in index {
                if let offset, id < offset { continue }
                if let passes, !passes(id, loc) { continue }
                hits.append((id, loc))
            }
            hits.sort { $0.0 < $1.0 }
            return hits.prefix(limit).map { view($0.1, vectors: vectors) }
        }
    }

    func count(filter: Filter?) -> Int {
        lock.read {
            guard let filter else { return index.count }
            let passes = matcher(filter)
            var n = 0
            for (id, loc) in index where passes(id, loc) { n += 1 }
            return n
        }
    }

    /// Whether the live point `id` at `loc` passes `filter`, reading payloads through arrays taken
    /// once per scan (a sealed segment's payloads are decoded on first use). Under the lock.
    func matcher(_ filter: Filter) -> (PointID, Location) -> Bool {
        let payloads = segments.map(\.payloads.all)
        let segs = segments
        return { id, loc in
            filter.matches(id: id, payload: payloads[Int(loc.seg)][Int(loc.off)]) { segs[Int(loc.seg)].hasVector(slot: $0, at: Int(loc.off)) }
        }
    }

    /// Nearest neighbours of `query` (already preprocessed for `distance`) in vector slot `slot`,
    /// planned per segment as Qdrant does (`Shard+Plan.swift`): the HNSW graph where the
    /// segment has one and is not small, an exact scan otherwise, or when `params.exact`.
    func search(
        query: [Float], slot: Int, distance: Distance, filter: Filter?, k: Int, vectors: Bool,
        params: SearchParams = SearchParams()
    ) -> [(score: Float, point: PointView)] {
        guard k > 0 else { return [] }
        return lock.read {
            var top = TopK(k: k)
            let sign: Float = distance.higherIsBetter ? 1 : -1
            query.withUnsafeBufferPointer { q in
                for (s, seg) in segments.enumerated() {
                    searchSegment(seg, index: s, query: q.baseAddress!, slot: slot, distance: distance, filter: filter, k: k, params: params) { score, off in
                        top.insert(key: score * sign, seg: s, off: off)
                    }
                }
            }
            return top.sorted().map { e in
                (e.key * sign, view(Location(seg: Int32(e.seg), off: Int32(e.off)), vectors: vectors))
            }
        }
    }

    /// Every live point of `seg` with a vector in `slot` that passes `filter`, scored exactly.
    func exactScan(
        _ seg: Segment, query qp: UnsafePointer<Float>, slot: Int, distance: Distance, filter: Filter?, candidates: [Int]?,
        emit: (Float, Int) -> Void
    ) {
        let ids = seg.ids
        let dim = dims[slot]
        let raw = distance == .cosine && schema.datatype(slot) == .uint8
        let payloads = filter == nil || candidates != nil ? [] : seg.payloads.all
        seg.withScanColumns(slot: slot) { deleted, present, base in
            if let candidates {
                for off in candidates { emit(distance.score(qp, base + off * dim, dim: dim, raw: raw), off) }
                return
            }
            for off in 0..<deleted.count where !deleted[off] && present[off] {
                if let filter, !filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) }) {
                    continue
                }
                emit(distance.score(qp, base + off * dim, dim: dim, raw: raw), off)
            }
        }
    }
}

/// Keeps the `k` entries with the largest keys; cheap rejection once full.
struct TopK {
    struct Entry {
        var key: Float
        var seg: Int
        var off: Int
    }

    let k: Int
    private var entries: [Entry] = []
    private var worst: Float = -.infinity

    init(k: Int) {
        self.k = k
        entries.reserveCapacity(Swift.min(k, 4096) + 1)  // k comes from a request's limit
    }

    @inline(__always)
    mutating func insert(key: Float, seg: Int, off: Int) {
        if entries.count >= k, !(key > worst) { return }
        let e = Entry(key: key, seg: seg, off: off)
        var i = entries.count
        while i > 0, entries[i - 1].key < key { i -= 1 }
        entries.insert(e, at: i)
        if entries.count > k { entries.removeLast() }
        worst = entries.count >= k ? entries[entries.count - 1].key : -.infinity
    }

    func sorted() -> [Entry] { entries }
}
