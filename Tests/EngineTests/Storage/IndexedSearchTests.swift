import Foundation
import Testing
@testable import Engine

/// Collections whose sealed segments the optimizer indexed: recall against exact answers, with
/// and without filters, deletions, reloading the graph from its files, and the swap's safety.
@Suite struct IndexedSearchTests {
    let dir = TempDir()
    static let n = 3000
    static let data = ClusteredData(count: n, dim: 16, clusters: 30, queries: 40, distance: .cosine)

    func config() -> CollectionConfig {
        var c = CollectionConfig(params: .init(vectors: .single(.init(size: 16, distance: .cosine))))
        c.optimizer_config.indexing_threshold = 1      // KB: index every sealed segment
        c.hnsw_config.full_scan_threshold = 1          // KB = 16 vectors of 16-d: use the graph
        return c
    }

    func storage() throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100_000), logger: testLogger)
    }

    /// An indexed collection of the clustered data, payload `b` = id mod 1000.
    func indexed() throws -> (Storage?, Collection) {
        let s = try storage()
        try s.createCollection("c", config: config())
        let c = try s.collection("c")
        let d = Self.data
        var points: [PointInput] = []
        for i in 0..<Self.n {
            let v = Array(d.points[(i * 16)..<(i * 16 + 16)])
            points.append(point(UInt64(i), v, ["b": JSONValue.int(Int64(i % 1000))]))
        }
        _ = try c.upsert(points, wait: true)
        try c.close()  // seals
        #expect(c.info().status == "yellow")
        try s.optimizeNow()
        return (s, c)
    }

    func search(_ c: Collection, _ q: [Float], filter: Filter? = nil, exact: Bool = false, ef: Int? = nil) throws -> [PointID] {
        var r = SearchRequest(vector: q, filter: filter, limit: 10)
        r.params = SearchParams(hnswEf: ef, exact: exact)
        return try c.search(r).map(\.id)
    }

    func recallOf(_ c: Collection, filter: Filter? = nil) throws -> Double {
        var hit = 0, total = 0
        for q in Self.data.queries {
            let truth = try search(c, q, filter: filter, exact: true)
            hit += Set(try search(c, q, filter: filter)).intersection(truth).count
            total += truth.count
        }
        return Double(hit) / Double(max(total, 1))
    }

    @Test func optimizerIndexesSealedSegmentsAndSearchKeepsRecall() throws {
        let (_, c) = try indexed()
        let info = c.info()
        #expect(info.indexed_vectors_count == Self.n)
        #expect(info.status == "green")
        let seg = c.shards[0].segments[0]
        #expect(seg.graphs[0]?.graph.pointCount == Self.n)
        #expect(FileIO.exists(dir.path + "/collections/c/0/segments/\(seg.id)/vector_index/links_compressed.bin"))
        let r = try recallOf(c)
        #expect(r >= 0.95, "recall@10 \(r)")
    }

    /// `indexed_vectors_count` counts the points that have the indexed vector, not every live
    /// point of an indexed segment: here only even ids carry vector `b`.
    @Test func indexedCountCountsPointsHavingTheVector() throws {
        let s = try storage()
        var cfg = CollectionConfig(params: .init(vectors: .named(["a": .init(size: 16, distance: .cosine), "b": .init(size: 16, distance: .cosine)])))
        cfg.optimizer_config.indexing_threshold = 1
        try s.createCollection("n", config: cfg)
        let c = try s.collection("n")
        let d = Self.data
        let points = (0..<600).map { i -> PointInput in
            let v = Array(d.points[(i * 16)..<(i * 16 + 16)])
            return PointInput(id: .number(UInt64(i)), vectors: i % 2 == 0 ? ["a": v, "b": v] : ["a": v], payload: [:])
        }
        _ = try c.upsert(points, wait: true)
        _ = try c.delete(.ids([.number(0), .number(1)]), wait: true)
        try c.close()
        try s.optimizeNow()
        #expect(c.shards[0].segments.dropLast().allSatisfy { $0.graphs.count == 2 })
        #expect(c.info().indexed_vectors_count == 598 + 299)  // a: 600 - 2 deleted; b: 300 even ids - id 0
    }

    /// 0.1 % and 1 % go to the exact plan (fewer points than `full_scan_threshold` would not:
    /// 16 vectors here, so every selectivity from 1 % up walks the graph with the filter).
    @Test func filteredRecallAtSelectivities() throws {
        let (_, c) = try indexed()
        for per1000 in [1, 10, 100, 200, 500] {
            let filter = try JSONDecoder().decode(Filter.self, from: Data(#"{"must":[{"key":"b","range":{"lt":\#(per1000)}}]}"#.utf8))
            let r = try recallOf(c, filter: filter)
            #expect(r >= 0.95, "recall@10 at \(Double(per1000) / 10) %: \(r)")
        }
    }

    @Test func deletedPointsAreNeverFoundAndGraphsReloadFromFiles() throws {
        var (s0, c) = try indexed()
        _ = try c.delete(.ids((0..<500).map { PointID.number(UInt64($0)) }), wait: true)
        for q in Self.data.queries.prefix(10) {
            #expect(try search(c, q).allSatisfy { if case .number(let v) = $0 { return v >= 500 } else { return false } })
        }
        let before = try Self.data.queries.map { try search(c, $0) }
        let segID = c.shards[0].segments[0].id
        let links = try FileIO.readAll(dir.path + "/collections/c/0/segments/\(segID)/vector_index/links_compressed.bin")
        try s0?.close()
        s0 = nil
        let s = try storage()
        c = try s.collection("c")
        #expect(c.shards[0].segments[0].id == segID)
        #expect(c.shards[0].segments[0].graphs[0] != nil)
        #expect(c.info().indexed_vectors_count == Self.n - 500)
        #expect(try Self.data.queries.map { try search(c, $0) } == before)
        #expect(try FileIO.readAll(dir.path + "/collections/c/0/segments/\(segID)/vector_index/links_compressed.bin") == links)
    }

    @Test func vacuumRebuildsASegmentWithManyDeletions() throws {
        let (s0, c) = try indexed()
        let s = s0!
        let old = c.shards[0].segments[0].id
        _ = try c.delete(.ids((0..<1000).map { PointID.number(UInt64($0)) }), wait: true)
        try s.optimizeNow()
        let seg = c.shards[0].segments[0]
        #expect(seg.id != old && seg.count == Self.n - 1000 && seg.graphs[0] != nil)
        #expect(!FileIO.exists(dir.path + "/collections/c/0/segments/\(old)"))
        #expect(c.count(filter: nil) == Self.n - 1000)
        #expect(try recallOf(c) >= 0.95)
    }

    @Test func exactAndIndexedOnlyParams() throws {
        let s = try storage()
        var cfg = config()
        cfg.optimizer_config.indexing_threshold = 0  // disabled: nothing gets a graph
        try s.createCollection("c", config: cfg)
        let c = try s.collection("c")
        let d = Self.data
        var points: [PointInput] = []
        for i in 0..<Self.n { points.append(point(UInt64(i), Array(d.points[(i * 16)..<(i * 16 + 16)]))) }
        _ = try c.upsert(points, wait: true)
        try c.close()
        try s.optimizeNow()
        #expect(c.info().indexed_vectors_count == 0 && c.info().status == "green")
        var r = SearchRequest(vector: d.queries[0], limit: 5)
        #expect(try c.search(r).count == 5)
        r.params.indexedOnly = true  // 3000 × 64 B = 192 KB, past max(indexing 0, full scan 1) KB: left out
        #expect(try c.search(r).isEmpty)
    }

    @Test func anUnlistedOptimizedSegmentLeftByACrashIsRemovedAtOpen() throws {
        var (s0, c) = try indexed()
        let live = c.shards[0].segments[0].id
        // What a crash between writing the new segment and the shard.json swap leaves.
        let stray = dir.path + "/collections/c/0/segments/" + UUID().uuidString.lowercased()
        try FileIO.makeDirectories(stray + "/vector_index")
        try s0?.close()
        s0 = nil
        let s = try storage()
        c = try s.collection("c")
        #expect(!FileIO.exists(stray))
        #expect(c.shards[0].segments[0].id == live && c.count(filter: nil) == Self.n)
    }
}
