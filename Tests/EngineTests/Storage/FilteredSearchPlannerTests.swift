import Foundation
import Testing
@testable import Engine

/// The planner of filtered searches on an indexed segment, seen through its per-segment path
/// counters: an estimate from the payload indexes below `full_scan_threshold` scores the
/// filtered points exactly, one above it walks the graph, an unindexed condition (unknown
/// estimate) is decided by sampling; each path answers as the exact search does (the exact
/// path) or with recall ≥ 0.95 (the walk).
@Suite struct FilteredSearchPlannerTests {
    let dir = TempDir()
    static let n = 3000
    static let data = ClusteredData(count: n, dim: 16, clusters: 30, queries: 30, distance: .cosine, seed: 9)

    /// Ids 0, 300, …, 2700 are `rare`; even ids `even`; payload `b` (unindexed) = id mod 1000.
    static func payload(_ i: Int) -> Payload {
        ["tag": .string(i % 300 == 0 ? "rare" : "common"), "half": .string(i % 2 == 0 ? "even" : "odd"), "b": .int(Int64(i % 1000))]
    }

    func indexed() throws -> (Storage, Collection) {
        let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100_000), logger: testLogger)
        var cfg = CollectionConfig(params: .init(vectors: .single(.init(size: 16, distance: .cosine))))
        cfg.optimizer_config.indexing_threshold = 1
        cfg.hnsw_config.full_scan_threshold = 1  // KB: 16 vectors of 16-d
        try s.createCollection("c", config: cfg)
        let c = try s.collection("c")
        try c.updatePayloadSchema(field: "tag", schema: .string("keyword"))
        try c.updatePayloadSchema(field: "half", schema: .string("keyword"))
        let d = Self.data
        _ = try c.upsert((0..<Self.n).map { point(UInt64($0), Array(d.points[($0 * 16)..<($0 * 16 + 16)]), Self.payload($0)) }, wait: true)
        try c.close()
        try s.optimizeNow()
        return (s, c)
    }

    func filter(_ json: String) throws -> Filter { try JSONDecoder().decode(Filter.self, from: Data(json.utf8)) }

    func paths(_ c: Collection) -> [FilteredSearchPath: Int] {
        let segs = c.shards.flatMap { $0.segments.filter { !$0.graphs.isEmpty } }
        return Dictionary(uniqueKeysWithValues: FilteredSearchPath.allCases.map { p in (p, segs.reduce(0) { $0 + $1.planner.count(p) }) })
    }

    /// Searches every query with `f` and returns the ids found with and without `exact`.
    func answers(_ c: Collection, _ f: Filter) throws -> (found: [[PointID]], truth: [[PointID]]) {
        var found: [[PointID]] = [], truth: [[PointID]] = []
        for q in Self.data.queries {
            var r = SearchRequest(vector: q, filter: f, limit: 10)
            found.append(try c.search(r).map(\.id))
            r.params.exact = true
            truth.append(try c.search(r).map(\.id))
        }
        return (found, truth)
    }

    func recallOf(_ a: (found: [[PointID]], truth: [[PointID]])) -> Double {
        let hit = zip(a.found, a.truth).reduce(0) { $0 + Set($1.0).intersection($1.1).count }
        return Double(hit) / Double(max(1, a.truth.reduce(0) { $0 + $1.count }))
    }

    @Test func aSelectiveIndexedFilterScoresItsPointsExactly() throws {
        let (_, c) = try indexed()
        #expect(c.info().indexed_vectors_count == Self.n)
        let before = paths(c)
        let a = try answers(c, try filter(#"{"must":[{"key":"tag","match":{"value":"rare"}}]}"#))
        let after = paths(c)
        #expect(after[.smallCardinality]! - before[.smallCardinality]! == Self.data.queries.count)
        #expect(after[.largeCardinality] == before[.largeCardinality] && after[.sampledLarge] == before[.sampledLarge])
        #expect(a.found == a.truth && a.found.allSatisfy { $0.count == 10 })
    }

    @Test func aBroadIndexedFilterWalksTheGraph() throws {
        let (_, c) = try indexed()
        let before = paths(c)
        let a = try answers(c, try filter(#"{"must":[{"key":"half","match":{"value":"even"}}]}"#))
        let after = paths(c)
        #expect(after[.largeCardinality]! - before[.largeCardinality]! == Self.data.queries.count)
        #expect(after[.smallCardinality] == before[.smallCardinality])
        #expect(a.found.allSatisfy { $0.allSatisfy { if case .number(let v) = $0 { v % 2 == 0 } else { false } } })
        let r = recallOf(a)
        #expect(r >= 0.95, "recall@10 \(r)")
    }

    @Test func anUnindexedConditionIsDecidedBySampling() throws {
        let (_, c) = try indexed()
        let before = paths(c)
        // `b < 500`: half the points, unknown to the indexes (0 … 3000 expected), a sample says large.
        let broad = try answers(c, try filter(#"{"must":[{"key":"b","range":{"lt":500}}]}"#))
        let mid = paths(c)
        #expect(mid[.sampledLarge]! - before[.sampledLarge]! == Self.data.queries.count)
        #expect(recallOf(broad) >= 0.95)
        // `b == 7`: 3 points; the sample finds too few to pass the threshold.
        let narrow = try answers(c, try filter(#"{"must":[{"key":"b","match":{"value":7}}]}"#))
        #expect(paths(c)[.sampledSmall]! - mid[.sampledSmall]! == Self.data.queries.count)
        #expect(narrow.found == narrow.truth && narrow.found.allSatisfy { $0.count == 3 })
        // An indexed selective clause under `must` bounds the whole filter: exact, whatever `b` is.
        let both = try answers(c, try filter(#"{"must":[{"key":"tag","match":{"value":"rare"}},{"key":"b","range":{"lt":500}}]}"#))
        #expect(paths(c)[.smallCardinality]! - mid[.smallCardinality]! == Self.data.queries.count)
        #expect(both.found == both.truth && both.found.allSatisfy { $0.count == 5 })
    }
}
