import Foundation
@testable import Engine

/// Seeded clustered vectors (a Gaussian mixture), queries drawn from the mixture, and exact
/// answers, for recall tests of the HNSW code.
struct ClusteredData {
    let dim: Int
    let distance: Distance
    var points: [Float]
    var queries: [[Float]]
    var count: Int { points.count / dim }

    init(count: Int, dim: Int, clusters: Int, queries q: Int, distance: Distance, seed: UInt64 = 42) {
        self.dim = dim
        self.distance = distance
        var rng = SplitMix64(seed: seed)
        func gauss() -> Float {
            let u = rng.nextUnit(), v = rng.nextUnit()
            return Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
        }
        let centers = (0..<clusters).map { _ in (0..<dim).map { _ in gauss() * 3 } }
        func sample() -> [Float] {
            let c = centers[Int(rng.next() % UInt64(clusters))]
            return distance.preprocess(c.map { $0 + gauss() })
        }
        points = []
        points.reserveCapacity(count * dim)
        for _ in 0..<count { points += sample() }
        queries = (0..<q).map { _ in sample() }
    }

    func withScorer<R>(_ body: (DenseScorer) -> R) -> R {
        points.withUnsafeBufferPointer { body(DenseScorer(base: $0.baseAddress!, dim: dim, count: count, distance: distance)) }
    }

    /// The exact top `k` offsets of `query` that pass `accept`.
    func exact(_ query: [Float], k: Int, accept: (Int) -> Bool = { _ in true }) -> [Int] {
        withScorer { s in
            query.withUnsafeBufferPointer { q in
                var all: [(Float, Int)] = []
                for p in 0..<count where accept(p) { all.append((s.score(q.baseAddress!, p), p)) }
                return all.sorted { $0.0 > $1.0 }.prefix(k).map(\.1)
            }
        }
    }
}

/// Mean fraction of the exact answers found.
func recall(_ found: [[Int]], _ truth: [[Int]]) -> Double {
    var hit = 0, total = 0
    for (f, t) in zip(found, truth) {
        hit += Set(f).intersection(t).count
        total += t.count
    }
    return total == 0 ? 1 : Double(hit) / Double(total)
}
