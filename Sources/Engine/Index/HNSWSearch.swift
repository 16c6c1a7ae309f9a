/// Read access to an HNSW graph's links: the built graph and the graph under construction both
/// provide it, so one search routine serves building and querying.
protocol GraphLinksAccess {
    /// Calls `body` with the links of `point` at `level` (empty when the point is not on it).
    func withLinks<R>(_ point: Int, _ level: Int, _ body: (UnsafeBufferPointer<UInt32>) -> R) -> R
}

/// The two searches of HNSW (Malkov & Yashunin; Qdrant's `search_entry` and `search_on_level`).
enum HNSWSearch {
    /// Greedy descent: from `entry` on level `top` down to level `bottom`, moving to the best
    /// neighbour while one scores higher.
    static func greedy<G: GraphLinksAccess, S: VectorScorer>(
        _ g: G, _ scorer: S, _ q: S.Query, entry: ScoredOffset, top: Int, bottom: Int
    ) -> ScoredOffset {
        var cur = entry
        var level = top
        while level >= bottom {
            var changed = true
            while changed {
                changed = false
                g.withLinks(Int(cur.id), level) { links in
                    for l in links {
                        let s = scorer.score(q, Int(l))
                        if s > cur.score {
                            cur = ScoredOffset(score: s, id: l)
                            changed = true
                        }
                    }
                }
            }
            level -= 1
        }
        return cur
    }

    /// Best-first search of one level from `entry`, keeping the `ef` best points that pass
    /// `accept`. Points that fail `accept` (deleted, filtered out) are still walked through so
    /// the graph stays connected, but never returned. `visited` must be reset by the caller.
    ///
    /// As Qdrant's `search_on_level`, a node's unvisited neighbours are collected first and then
    /// scored together, after prefetching their vectors: the cache misses of one node's
    /// neighbours overlap instead of each score waiting for its own.
    static func searchLevel<G: GraphLinksAccess, S: VectorScorer>(
        _ g: G, _ scorer: S, _ q: S.Query, entry: ScoredOffset, level: Int, ef: Int,
        visited: VisitedList, accept: (Int) -> Bool
    ) -> NearestSet {
        var nearest = NearestSet(capacity: ef)
        var candidates = ScoredHeap(capacity: ef * 2)
        var fresh: [UInt32] = []
        fresh.reserveCapacity(64)
        _ = visited.checkAndSet(Int(entry.id))
        candidates.push(entry)
        if accept(Int(entry.id)) { nearest.offer(entry) }
        while let c = candidates.pop() {
            if nearest.isFull, c.score < nearest.worst { break }
            fresh.removeAll(keepingCapacity: true)
            g.withLinks(Int(c.id), level) { links in
                for l in links where !visited.checkAndSet(Int(l)) { fresh.append(l) }
            }
            for l in fresh { scorer.prefetch(Int(l)) }
            for l in fresh {
                let s = scorer.score(q, Int(l))
                guard !nearest.isFull || s > nearest.worst else { continue }
                let e = ScoredOffset(score: s, id: l)
                candidates.push(e)
                if accept(Int(l)) { nearest.offer(e) }
            }
        }
        return nearest
    }
}
