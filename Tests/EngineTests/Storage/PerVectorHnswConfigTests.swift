import Foundation
import Testing
@testable import Engine

/// A vector's own `hnsw_config` diff, resolved by `CollectionConfig.hnsw(for:)` for validation
/// and for the optimizer alike: `m: 0` there builds no graph for that vector (Qdrant searches it
/// exactly), and a bad diff is a 400 naming the vector.
@Suite struct PerVectorHnswConfigTests {
    let dir = TempDir()
    static let data = ClusteredData(count: 600, dim: 16, clusters: 10, queries: 1, distance: .cosine, seed: 3)

    @Test func perVectorMZeroBuildsNoGraphForThatVector() throws {
        let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100_000), logger: testLogger)
        var b = VectorParams(size: 16, distance: .cosine)
        b.hnsw_config = .object(["m": .int(0)])
        var cfg = CollectionConfig(params: .init(vectors: .named(["a": .init(size: 16, distance: .cosine), "b": b])))
        cfg.optimizer_config.indexing_threshold = 1
        cfg.hnsw_config.full_scan_threshold = 1
        try cfg.validate()
        #expect(try cfg.hnsw(for: "b").m == 0 && cfg.hnsw(for: "a").m == 16)
        try s.createCollection("m", config: cfg)
        let c = try s.collection("m")
        let d = Self.data
        _ = try c.upsert((0..<600).map { i in
            let v = Array(d.points[(i * 16)..<(i * 16 + 16)])
            return PointInput(id: .number(UInt64(i)), vectors: ["a": v, "b": v], payload: [:])
        }, wait: true)
        try c.close()
        try s.optimizeNow()
        let seg = try #require(c.shards[0].segments.first { !$0.graphs.isEmpty })
        #expect(seg.graphs.keys.sorted() == [try c.slot(named: "a")])
        #expect(c.info().status == "green")
        var r = SearchRequest(vector: d.queries[0], using: "b", limit: 10)
        let found = try c.search(r).map(\.id)
        r.params.exact = true
        #expect(found == (try c.search(r).map(\.id)))
    }

    @Test func aBadPerVectorDiffNamesTheVector() {
        var b = VectorParams(size: 4, distance: .dot)
        b.hnsw_config = .object(["m": .int(-1)])
        var cfg = CollectionConfig(params: .init(vectors: .named(["b": b])))
        cfg.hnsw_config.m = 8
        do {
            try cfg.validate()
            Issue.record("validated")
        } catch let e as StorageError {
            #expect(e.message.contains("vectors.b.hnsw_config.m") && e.code == .badInput, "\(e.message)")
        } catch {
            Issue.record("\(error)")
        }
        #expect(throws: StorageError.self) { _ = try cfg.hnsw(for: "b") }
        #expect((try? cfg.hnsw(for: "missing"))?.m == 8)
    }
}
