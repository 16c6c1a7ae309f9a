import Foundation
import Testing
@testable import Engine

@Suite struct HNSWGraphTests {
    func build(_ d: ClusteredData, threads: Int = 2) -> HNSWGraph {
        d.withScorer { HNSWBuilder(scorer: $0, params: HNSWParameters(threads: threads)).build() }
    }

    func search(_ g: HNSWGraph, _ d: ClusteredData, k: Int, ef: Int, accept: @escaping (Int) -> Bool = { _ in true }) -> [[Int]] {
        let visited = VisitedList(count: d.count)
        return d.withScorer { s in
            d.queries.map { q in
                q.withUnsafeBufferPointer { qp in
                    visited.reset()
                    return g.search(qp.baseAddress!, scorer: s, k: k, ef: ef, visited: visited, accept: accept).map { Int($0.id) }
                }
            }
        }
    }

    @Test(arguments: [Distance.cosine, .euclid, .dot])
    func recallAt10OnClusteredData(distance: Distance) {
        let d = ClusteredData(count: 2500, dim: 16, clusters: 25, queries: 100, distance: distance)
        let g = build(d)
        let truth = d.queries.map { d.exact($0, k: 10) }
        let r = recall(search(g, d, k: 10, ef: 100), truth)
        #expect(r >= 0.95, "recall@10 \(r)")
    }

    @Test func graphRespectsQdrantLimits() {
        let d = ClusteredData(count: 1500, dim: 8, clusters: 10, queries: 1, distance: .cosine)
        let g = build(d)
        #expect(g.m == 16 && g.m0 == 32 && g.efConstruct == 100)
        var upper = 0
        for p in 0..<g.pointCount {
            #expect(g.links(p, 0).count <= 32)
            #expect(!g.links(p, 0).isEmpty)
            #expect(!g.links(p, 0).contains(UInt32(p)))
            for l in 1...max(1, g.level(of: p)) where l <= g.level(of: p) {
                #expect(g.links(p, l).count <= 16)
                upper += 1
            }
        }
        // Levels drawn as round(-ln(u) / ln(16)): about 1/16·e^{..} of points reach level 1 (≈ 18 %
        // since the draw rounds: P(level ≥ 1) = P(u < e^{-0.5·ln 16}) = 1/4).
        let share = Double(g.pointsOnLevel(1)) / Double(g.pointCount)
        #expect(share > 0.2 && share < 0.3, "share on level 1: \(share)")
        #expect(upper > 0)
        #expect(g.level(of: Int(g.entryPoints[0].point)) == g.levelCount - 1)
    }

    @Test func deletedPointsAreNeverReturned() {
        let d = ClusteredData(count: 2000, dim: 16, clusters: 20, queries: 60, distance: .cosine)
        let g = build(d)
        let deleted = Set((0..<d.count).filter { $0 % 3 == 0 })
        let accept: (Int) -> Bool = { !deleted.contains($0) }
        let found = search(g, d, k: 10, ef: 100, accept: accept)
        #expect(found.allSatisfy { $0.allSatisfy(accept) && $0.count == 10 })
        let r = recall(found, d.queries.map { d.exact($0, k: 10, accept: accept) })
        #expect(r >= 0.95, "recall@10 with a third deleted: \(r)")
    }

    @Test func singleAndMultiThreadedBuildsBothFindNeighbours() {
        let d = ClusteredData(count: 1000, dim: 8, clusters: 10, queries: 30, distance: .euclid)
        let truth = d.queries.map { d.exact($0, k: 10) }
        #expect(recall(search(build(d, threads: 1), d, k: 10, ef: 64), truth) >= 0.95)
        #expect(recall(search(build(d, threads: 2), d, k: 10, ef: 64), truth) >= 0.95)
    }

    @Test func tinyGraphs() {
        for n in [1, 2, 5] {
            let d = ClusteredData(count: n, dim: 4, clusters: 1, queries: 3, distance: .dot)
            let g = build(d)
            let found = search(g, d, k: 10, ef: 10)
            #expect(found.allSatisfy { Set($0) == Set(0..<n) })
        }
    }
}
