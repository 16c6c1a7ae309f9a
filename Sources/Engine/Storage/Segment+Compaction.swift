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
        for off in 0..<source.count where keep[off] {
            moved[off] = Int32(count)
            append(
                id: source.ids[off], vectors: source.vectors(at: off), payload: source.payloads[off], version: source.versions[off],
                sparse: source.sparseVectors(at: off), multi: source.multiVectors(at: off))
        }
        return moved
    }
}
