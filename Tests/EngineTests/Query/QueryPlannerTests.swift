import Foundation
import Testing
@testable import Engine

/// The planner on a small collection whose answers are worked out by hand.
@Suite struct QueryPlannerTests {
    let dir = TempDir()

    func collection(_ distance: Distance = .dot) throws -> Collection {
        let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100), logger: testLogger)
        try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: distance)), shardNumber: 2)))
        let c = try s.collection("c")
        try c.upsert([
            PointInput(id: .number(1), vectors: ["": [1, 0]], payload: ["t": .double(3), "g": .string("a")]),
            PointInput(id: .number(2), vectors: ["": [0.8, 0.6]], payload: ["t": .double(1), "g": .string("b")]),
            PointInput(id: .number(3), vectors: ["": [0, 1]], payload: ["t": .double(2), "g": .string("a")]),
            PointInput(id: .number(4), vectors: ["": [-1, 0]], payload: ["t": .array([.double(0), .double(5)]), "g": .int(7)]),
        ], wait: true)
        return c
    }

    func run(_ c: Collection, _ q: QueryRequest) throws -> [(PointID, Float)] {
        try c.query(q, payload: .none, vectors: .none, lookup: { _ in c }).map { ($0.id, $0.score ?? .nan) }
    }

    func ids(_ r: [(PointID, Float)]) -> [UInt64] { r.map { if case .number(let n) = $0.0 { n } else { 0 } } }

    @Test func nearestByIdLeavesThatPointOut() throws {
        let c = try collection()
        #expect(ids(try run(c, QueryRequest(query: .nearest(.id(.number(1)), mmr: nil), limit: 2))) == [2, 3])
    }

    @Test func rrfAndDbsf() throws {
        let c = try collection()
        let p1 = QueryRequest(query: .nearest(.vector([1, 0]), mmr: nil), limit: 3)  // 1, 2, 3
        let p2 = QueryRequest(query: .nearest(.vector([0, 1]), mmr: nil), limit: 3)  // 3, 2, 1|4 tie → 1
        let rrf = try run(c, QueryRequest(prefetch: [p1, p2], query: .fusion(.rrf(k: 2, weights: nil)), limit: 3))
        // 1: 1/2 + 1/4, 3: 1/4 + 1/2, 2: 1/3 + 1/3; ties by first appearance
        #expect(ids(rrf) == [1, 3, 2])
        #expect(abs(rrf[0].1 - 0.75) < 1e-6 && abs(rrf[2].1 - 2.0 / 3) < 1e-6)
        let weighted = try run(c, QueryRequest(prefetch: [p1, p2], query: .fusion(.rrf(k: 2, weights: [0.5, 1])), limit: 1))
        #expect(ids(weighted) == [3])
        let dbsf = try run(c, QueryRequest(prefetch: [p1, p2], query: .fusion(.dbsf), limit: 3))
        #expect(Set(ids(dbsf)) == [1, 2, 3])
        #expect(throws: StorageError.self) { try run(c, QueryRequest(query: .fusion(.dbsf))) }
    }

    @Test func prefetchCandidatesAreRescored() throws {
        let c = try collection()
        let p = QueryRequest(query: .nearest(.vector([1, 0]), mmr: nil), limit: 2)  // 1, 2
        #expect(ids(try run(c, QueryRequest(prefetch: [p], query: .nearest(.vector([0, 1]), mmr: nil)))) == [2, 1])
        #expect(ids(try run(c, QueryRequest(prefetch: [p], query: .orderBy(OrderBy(key: try JSONPath("t"))))))  == [2, 1])
    }

    @Test func orderByRepeatsMultiValuedPoints() throws {
        let c = try collection()
        let asc = try c.query(QueryRequest(query: .orderBy(OrderBy(key: try JSONPath("t")))), payload: .none, vectors: .none, lookup: { _ in c })
        #expect(asc.map(\.orderValue) == [.double(0), .double(1), .double(2), .double(3), .double(5)])
        let desc = try run(c, QueryRequest(query: .orderBy(OrderBy(key: try JSONPath("t"), descending: true, startFrom: 2.5))))
        #expect(ids(desc) == [3, 2, 4])  // 5 and 3 are above start_from
    }

    @Test func recommendStrategies() throws {
        let c = try collection()
        let avg = try run(c, QueryRequest(query: .recommend(positive: [.id(.number(1))], negative: [.id(.number(3))], strategy: .averageVector)))
        #expect(ids(avg).first == 2)  // 2·(1,0) − (0,1) = (2,−1)
        let best = try run(c, QueryRequest(query: .recommend(positive: [.id(.number(1))], negative: [.id(.number(3))], strategy: .bestScore)))
        // 2: pos 0.8 > neg 0.6 → sigmoid(0.8); 4: pos −1 < neg 0 → −sigmoid(0)
        #expect(ids(best) == [2, 4])
        #expect(abs(best[0].1 - 0.5 * (0.8 / 1.8 + 1)) < 1e-6 && abs(best[1].1 + 0.5) < 1e-6)
        #expect(throws: StorageError.self) { try run(c, QueryRequest(query: .recommend(positive: [], negative: [], strategy: .sumScores))) }
    }

    @Test func groupsAndFacets() throws {
        let c = try collection()
        let groups = try c.queryGroups(
            QueryRequest(query: .nearest(.vector([1, 0]), mmr: nil)), groupBy: try JSONPath("g"), groupSize: 1, limit: 2,
            payload: .none, vectors: .none, withLookup: nil, lookup: { _ in c })
        #expect(groups.map(\.id) == [.string("a"), .string("b")])
        #expect(groups[0].hits.map(\.id) == [.number(1)])
        let facet = try c.facet(key: try JSONPath("g"), filter: nil, limit: 10)
        #expect(facet.map(\.value) == [.string("a"), .int(7), .string("b")] && facet.map(\.count) == [2, 1, 1])
    }

    @Test func formulaRescoresWithPayloadAndConditions() throws {
        let c = try collection()
        let p = QueryRequest(query: .nearest(.vector([1, 0]), mmr: nil), limit: 3)
        let f = Formula(expression: .sum([.score(0), .mult([.constant(2), .condition(.field(FieldCondition(key: try JSONPath("g"), match: .value(.string("a")))))]), .variable(try JSONPath("t"))]))
        let r = try run(c, QueryRequest(prefetch: [p], query: .formula(f)))
        // 1: 1 + 2 + 3 = 6; 3: 0 + 2 + 2 = 4; 2: 0.8 + 0 + 1 = 1.8
        #expect(ids(r) == [1, 3, 2])
        #expect(abs(r[2].1 - 1.8) < 1e-5)
        let missing = Formula(expression: .variable(try JSONPath("nope")))
        #expect(throws: StorageError.self) { try run(c, QueryRequest(prefetch: [p], query: .formula(missing))) }
        let defaulted = Formula(expression: .variable(try JSONPath("nope")), defaults: ["nope": .int(4)])
        #expect(try run(c, QueryRequest(prefetch: [p], query: .formula(defaulted))).allSatisfy { $0.1 == 4 })
    }

    @Test func mmrPrefersDiverseResults() throws {
        let c = try collection()
        let r = try run(c, QueryRequest(query: .nearest(.vector([1, 0.1]), mmr: MMR(diversity: 1, candidatesLimit: 4)), limit: 2))
        #expect(ids(r) == [1, 4])  // after 1, the point least like 1
    }
}
