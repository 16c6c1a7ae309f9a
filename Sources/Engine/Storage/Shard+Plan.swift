/// The per-segment search plan, as Qdrant's (`hnsw_index/hnsw.rs`, `read_view/dispatch.rs`):
///
/// - `exact`, or no graph for the vector: scan every vector of the segment;
/// - `indexed_only`: a segment without a graph that is big enough to need one is left out;
/// - no filter: scan when the segment holds fewer live points than the graph's
///   `full_scan_threshold` (vectors, `hnsw_config.json`), walk the graph otherwise;
/// - a filter: estimate how many points pass it from the segment's payload indexes, as Qdrant
///   does (`Shard+FilterPlan.swift`); below the threshold score just those, otherwise walk the
///   graph checking the filter on the points it reaches. qdb's walk goes on through points that
///   fail the filter (never returning them), where Qdrant's stops at them and relies on the
///   `payload_m` links among a value's points to stay connected.
///
/// The graph walk uses `ef = max(hnsw_ef ?? ef, limit)` and never returns a deleted point,
/// a point without the vector, or one that fails the filter.
extension Shard {
    func searchSegment(
        _ seg: Segment, index s: Int, query qp: UnsafePointer<Float>, slot: Int, distance: Distance, filter: Filter?,
        k: Int, params: SearchParams, emit: (Float, Int) -> Void
    ) {
        let dim = dims[slot]
        let indexed = seg.graphs[slot]
        if params.indexedOnly, indexed == nil,
            indexSettings.excludedWhenIndexedOnly(vectors: seg.liveCount, name: schema.names[slot], dim: dim)
        {
            return
        }
        guard !params.exact, let indexed, indexed.graph.pointCount == seg.count else {
            exactScan(seg, query: qp, slot: slot, distance: distance, filter: filter, candidates: nil, emit: emit)
            return
        }
        let threshold = indexed.graphConfig.full_scan_threshold
        if let filter {
            let (_, candidates) = planFiltered(seg, index: s, slot: slot, filter: filter, threshold: threshold)
            if let candidates {
                exactScan(seg, query: qp, slot: slot, distance: distance, filter: filter, candidates: candidates, emit: emit)
                return
            }
        } else if seg.liveCount < threshold {
            exactScan(seg, query: qp, slot: slot, distance: distance, filter: nil, candidates: nil, emit: emit)
            return
        }
        let ef = max(params.hnswEf ?? indexed.graphConfig.ef, k)
        seg.withScanColumns(slot: slot) { deleted, present, base in
            let scorer = DenseScorer(base: base, dim: dim, count: seg.count, distance: distance, rawCosine: distance == .cosine && schema.datatype(slot) == .uint8)
            let found: [ScoredOffset] = Segment.visitedPool.with(count: seg.count) { visited in
                if let filter {
                    let ids = seg.ids, payloads = seg.payloads.all
                    return indexed.graph.search(qp, scorer: scorer, k: k, ef: ef, visited: visited) { off in
                        !deleted[off] && present[off]
                            && filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) })
                    }
                }
                return indexed.graph.search(qp, scorer: scorer, k: k, ef: ef, visited: visited) { !deleted[$0] && present[$0] }
            }
            for f in found { emit(DenseScorer.reported(f.score, distance), Int(f.id)) }
        }
    }

    /// The offsets of `seg`'s live points that have vector `slot` and pass `filter`.
    func filteredOffsets(_ seg: Segment, slot: Int, filter: Filter) -> [Int] {
        let ids = seg.ids
        let payloads = seg.payloads.all
        return seg.withScanColumns(slot: slot) { deleted, present, _ in
            (0..<deleted.count).filter { off in
                !deleted[off] && present[off]
                    && filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) })
            }
        }
    }

    /// Vectors of slot `slot` that a graph covers: the live points of indexed segments that
    /// have that vector (a named vector may be missing from some points).
    func indexedVectorCount(slot: Int) -> Int {
        lock.read {
            segments.reduce(0) { acc, seg in
                guard seg.graphs[slot] != nil else { return acc }
                return acc + seg.withScanColumns(slot: slot) { deleted, present, _ in
                    var n = 0
                    for off in 0..<deleted.count where !deleted[off] && present[off] { n += 1 }
                    return n
                }
            }
        }
    }
}
