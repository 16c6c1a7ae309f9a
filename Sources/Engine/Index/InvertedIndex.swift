/// An inverted index over one sparse vector slot of a sealed segment: for each dimension, the
/// offsets of the points whose vector has it (increasing) and their weights. Qdrant's
/// `InvertedIndexRam` in spirit (`lib/sparse/src/index/inverted_index/`). A sealed segment qdb
/// writes persists it in Qdrant's compressed format (`InvertedIndexFiles`) and loads it from
/// there; a segment declaring a `MutableRam` index has it built from the sparse storage at load,
/// as Qdrant builds one. Search with it is exact: every posting of every query dimension is
/// visited.
///
/// Immutable once built; safe to read from many threads.
final class InvertedIndex: @unchecked Sendable {
    struct Posting {
        var offsets: [Int32] = []
        var weights: [Float] = []
    }

    private(set) var postings: [UInt32: Posting] = [:]
    /// Points indexed (with a vector of at least one dimension): Qdrant's `vector_count`.
    private(set) var vectorCount = 0

    /// The index of `column`, leaving out the offsets `excluding` marks (Qdrant's builder leaves
    /// out deleted points) and, like Qdrant's, vectors without a dimension.
    init(_ column: [SparseVector?], excluding: [Bool] = []) {
        for (off, v) in column.enumerated() {
            guard let v, !v.indices.isEmpty, off >= excluding.count || !excluding[off] else { continue }
            vectorCount += 1
            for (d, w) in zip(v.indices, v.values) {
                postings[d, default: Posting()].offsets.append(Int32(off))
                postings[d, default: Posting()].weights.append(w)
            }
        }
    }

    /// The index Qdrant's files hold (`InvertedIndexFiles.read`), checked against the segment's
    /// sparse storage: every posting must be a weight the point's stored vector has, bit for bit,
    /// and every point not `deleted` with a vector must have all of its dimensions posted (a
    /// deleted one: all or none). So an index that disagrees with the storage in any posting,
    /// as a damaged file does, is refused rather than searched.
    /// - Returns: nil when they disagree, with the first disagreement in `problem`.
    init?(checking postings: [UInt32: Posting], column: [SparseVector?], deleted: [Bool], problem: inout String) {
        var counts = [Int32](repeating: 0, count: column.count)
        for (d, p) in postings {
            for (off, w) in zip(p.offsets, p.weights) {
                let o = Int(off)
                guard o < column.count, let v = column[o], let k = Self.position(of: d, in: v.indices), v.values[k].bitPattern == w.bitPattern else {
                    problem = "posts dimension \(d) of point offset \(o) with weight \(w), which its stored vector does not have"
                    return nil
                }
                counts[o] += 1
            }
        }
        for (off, v) in column.enumerated() {
            let n = Int32(v?.indices.count ?? 0), c = counts[off]
            guard c == n || (c == 0 && (off < deleted.count && deleted[off])) else {
                problem = "posts \(c) of the \(n) dimensions of point offset \(off)'s stored vector"
                return nil
            }
            if c > 0 { vectorCount += 1 }
        }
        self.postings = postings
    }

    /// Where `d` is in `sorted` (increasing, as the storage holds them).
    private static func position(of d: UInt32, in sorted: [UInt32]) -> Int? {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < d { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == d ? lo : nil
    }

    /// The points among those `live` accepts whose vector has dimension `dim`.
    func documentFrequency(_ dim: UInt32, live: (Int) -> Bool) -> Int {
        guard let p = postings[dim] else { return 0 }
        var n = 0
        for off in p.offsets where live(Int(off)) { n += 1 }
        return n
    }

    /// Adds `query · vector` into `scores[off]` for every point sharing a dimension with the
    /// query, and marks it in `touched` (points sharing none are not results).
    func accumulate(_ query: SparseVector, scores: inout [Float], touched: inout [Bool]) {
        for (d, qw) in zip(query.indices, query.values) {
            guard let p = postings[d] else { continue }
            for (off, w) in zip(p.offsets, p.weights) {
                scores[Int(off)] += qw * w
                touched[Int(off)] = true
            }
        }
    }
}
