extension Shard {
    /// Qdrant's plan for a filtered search of an indexed segment (`hnsw/read_view/dispatch.rs`):
    /// estimate the filter's cardinality from the segment's payload indexes, adjusted to the
    /// points having the vector; below `threshold` (the graph's `full_scan_threshold`, vectors)
    /// at most, score the filtered points exactly; above it at least, walk the graph; in
    /// between, sample. Returns the path and, for an exact one, the passing offsets (listed
    /// from the primary clauses' postings when the index has them, else by checking every
    /// point). Under the read lock.
    func planFiltered(_ seg: Segment, index s: Int, slot: Int, filter: Filter, threshold: Int) -> (FilteredSearchPath, [Int]?) {
        let payloadIndex = seg.planner.payloadIndex(of: seg, schema: indexedFields)
        let deleted = seg.deleted
        let estimate = payloadIndex.estimate(filter, livePoints: seg.liveCount) { ids in
            ids.compactMap { id in
                guard let loc = index[id], Int(loc.seg) == s, !deleted[Int(loc.off)] else { return nil }
                return Int(loc.off)
            }
        }
        let vectors = slot < payloadIndex.vectorCounts.count ? payloadIndex.vectorCounts[slot] : seg.liveCount
        let e = CardinalityEstimator.adjust(estimate, availableVectors: vectors, availablePoints: seg.liveCount)
        let path: FilteredSearchPath
        if e.max < threshold {
            path = .smallCardinality
        } else if e.min > threshold {
            path = .largeCardinality
        } else {
            let ids = seg.ids, payloads = seg.payloads.all
            let large = seg.withScanColumns(slot: slot) { del, present, _ in
                CardinalitySampler.exceeds(threshold: threshold, total: vectors, count: seg.count, eligible: { !del[$0] && present[$0] }) { off in
                    filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) })
                }
            }
            path = large ? .sampledLarge : .sampledSmall
        }
        seg.planner.record(path)
        guard !path.usesGraph else { return (path, nil) }
        guard let listed = payloadIndex.candidates(estimate) else { return (path, filteredOffsets(seg, slot: slot, filter: filter)) }
        return (path, passing(seg, slot: slot, filter: filter, among: listed))
    }

    /// The offsets among `listed` (any order, repeats allowed) of live points with vector `slot`
    /// that pass `filter`, ascending.
    private func passing(_ seg: Segment, slot: Int, filter: Filter, among listed: [Int32]) -> [Int] {
        let ids = seg.ids, payloads = seg.payloads.all
        var previous: Int32 = -1
        return seg.withScanColumns(slot: slot) { deleted, present, _ in
            listed.sorted().compactMap { o in
                let off = Int(o)
                defer { previous = o }
                guard o != previous, off < deleted.count, !deleted[off], present[off],
                    filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) })
                else { return nil }
                return off
            }
        }
    }
}
