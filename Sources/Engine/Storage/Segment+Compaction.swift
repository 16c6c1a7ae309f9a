extension Segment {
    /// Appends the points of `source` at the offsets where `keep` is true, in offset order, and
    /// returns where each of `source`'s offsets went here (-1: not kept). Ids, every vector kind,
    /// payloads and versions are carried: the one place that copies points between segments
    /// (compaction at seal, the optimizer's vacuum and index rebuilds, and merges), so a new
    /// vector kind is carried everywhere or nowhere.
    @discardableResult
    func appendPoints(of source: Segment, keeping keep: [Bool]) -> [Int32] {
        precondition(keep.count == source.count, "one keep flag per source offset")
        var moved = [Int32](repeating: -1, count: source.count)
        var run = 0
        while run < source.count {
            guard keep[run] else { run += 1; continue }
            var stop = run
            while stop < source.count, keep[stop] { moved[stop] = Int32(count + stop - run); stop += 1 }
            appendRows(of: source, run..<stop)
            run = stop
        }
        return moved
    }
}
