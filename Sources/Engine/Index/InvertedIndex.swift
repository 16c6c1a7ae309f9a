/// An inverted index over one sparse vector slot of a sealed segment: for each dimension, the
/// offsets of the points whose vector has it (increasing) and their weights. Qdrant's
/// `InvertedIndexRam` in spirit (`lib/sparse/src/index/inverted_index/`); qdb builds it in
/// memory from the segment's sparse storage when the segment is sealed or loaded, as Qdrant
/// builds a `MutableRam` index. Search with it is exact: every posting of every query dimension
/// is visited.
///
/// Immutable once built; safe to read from many threads.
final class InvertedIndex: @unchecked Sendable {
    struct Posting {
        var offsets: [Int32] = []
        var weights: [Float] = []
    }

    private(set) var postings: [UInt32: Posting] = [:]
    /// Points that have a vector in this slot (deleted ones included).
    private(set) var vectorCount = 0

    init(_ column: [SparseVector?]) {
        for (off, v) in column.enumerated() {
            guard let v else { continue }
            vectorCount += 1
            for (d, w) in zip(v.indices, v.values) {
                postings[d, default: Posting()].offsets.append(Int32(off))
                postings[d, default: Posting()].weights.append(w)
            }
        }
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
