extension Shard {
    /// For IDF: how many live points have a vector in sparse slot `slot`, and how many of those
    /// have each of `dimensions`. Sealed segments answer from their inverted index.
    func sparseStatistics(slot: Int, dimensions: [UInt32]) -> (documents: Int, frequencies: [Int]) {
        lock.read {
            var n = 0
            var df = [Int](repeating: 0, count: dimensions.count)
            let wanted = Dictionary(dimensions.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for seg in segments {
                let live = { (off: Int) in !seg.deleted[off] }
                if slot < seg.sparseIndex.count {
                    let index = seg.sparseIndex[slot]
                    for (i, d) in dimensions.enumerated() { df[i] += index.documentFrequency(d, live: live) }
                    n += slot < seg.sparseLive.count ? seg.sparseLive[slot] : 0
                } else {
                    for off in 0..<seg.count where live(off) {
                        guard let v = seg.sparseVector(slot: slot, at: off) else { continue }
                        n += 1
                        for d in v.indices { if let i = wanted[d] { df[i] += 1 } }
                    }
                }
            }
            return (n, df)
        }
    }

    /// The `k` best live points by `query · vector` in sparse slot `slot` (the query already
    /// weighted), among those passing `filter` (bound to this collection's vector names).
    func searchSparse(_ query: SparseVector, slot: Int, filter: Filter?, k: Int) -> [(score: Float, point: PointView)] {
        guard k > 0 else { return [] }
        return lock.read {
            var top = TopK(k: k)
            for (s, seg) in segments.enumerated() {
                let ids = seg.ids
                let payloads = filter == nil ? [] : seg.payloads.all
                func consider(_ off: Int, _ score: Float) {
                    guard !seg.deleted[off] else { return }
                    if let filter, !filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) }) {
                        return
                    }
                    top.insert(key: score, seg: s, off: off)
                }
                if slot < seg.sparseIndex.count {
                    var scores = [Float](repeating: 0, count: seg.count)
                    var touched = [Bool](repeating: false, count: seg.count)
                    seg.sparseIndex[slot].accumulate(query, scores: &scores, touched: &touched)
                    for off in 0..<seg.count where touched[off] { consider(off, scores[off]) }
                } else {
                    for off in 0..<seg.count {
                        guard let v = seg.sparseVector(slot: slot, at: off), let score = query.dot(v) else { continue }
                        consider(off, score)
                    }
                }
            }
            return top.sorted().map { e in
                let seg = segments[e.seg]
                return (e.key, PointView(id: seg.ids[e.off], version: seg.versions[e.off], payload: seg.payloads[e.off], vectors: []))
            }
        }
    }
}
