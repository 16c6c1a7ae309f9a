import Foundation
import Testing
@testable import Engine

/// Qdrant's merge optimizer (`default_segment_number`, `max_segment_size`): its plan, and merges
/// that keep every point, deletion and search answer, in memory and after a reopen.
@Suite struct MergeOptimizerTests {
    let dir = TempDir()

    func settings(segments: Int, maxKB: Int?, threads: Int = 0) -> IndexSettings {
        var s = IndexSettings()
        s.optimizer.default_segment_number = segments
        s.optimizer.max_segment_size = maxKB
        s.hnsw.max_indexing_threads = threads
        return s
    }

    @Test func planTakesTheSmallestThatFitAndOnlyAsManyAsNeeded() {
        let kb = 1024
        // Auto segment number: one per two CPUs, 2 ... 8.
        #expect(settings(segments: 0, maxKB: nil).segmentNumber(cpus: 2) == 2)
        #expect(settings(segments: 0, maxKB: nil).segmentNumber(cpus: 12) == 6)
        #expect(settings(segments: 0, maxKB: nil).segmentNumber(cpus: 64) == 8)
        // Auto max size: 256 000 KB per indexing thread.
        #expect(settings(segments: 0, maxKB: nil).maxSegmentBytes(cpus: 4) == 4 * 256_000 * kb)
        #expect(settings(segments: 0, maxKB: nil, threads: 1).maxSegmentBytes(cpus: 4) == 256_000 * kb)
        let s = settings(segments: 3, maxKB: 100)
        // 5 sealed + 1 appendable = 6 segments, target 3: merge the 4 smallest while under 100 KB.
        #expect(s.mergeBatch(sizes: [50 * kb, 10 * kb, 20 * kb, 30 * kb, 90 * kb], segmentCount: 6, cpus: 2) == [1, 2, 3])
        // Only what brings the count to the target: 4 segments, target 3 → two merge into one.
        #expect(s.mergeBatch(sizes: [10 * kb, 20 * kb, 30 * kb], segmentCount: 4, cpus: 2) == [0, 1])
        // At the target, or nothing small enough to pair: no merge.
        #expect(s.mergeBatch(sizes: [10 * kb, 20 * kb], segmentCount: 3, cpus: 2) == nil)
        #expect(s.mergeBatch(sizes: [60 * kb, 70 * kb, 80 * kb], segmentCount: 6, cpus: 2) == nil)
        // `max_segment_size` is exclusive, as Qdrant's `size_sum < threshold`.
        #expect(s.mergeBatch(sizes: [50 * kb, 50 * kb], segmentCount: 6, cpus: 2) == nil)
    }

    func vector(_ i: Int) -> [Float] { (0..<4).map { Float(sin(Double(i * 4 + $0))) } }

    @Test func mergeKeepsEveryPointAndDeletionAndSurvivesReopen() throws {
        var storage: Storage? = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100), logger: testLogger)
        var cfg = CollectionConfig(params: .init(vectors: .single(.init(size: 4, distance: .euclid))))
        cfg.optimizer_config.indexing_threshold = 0  // merging only
        cfg.optimizer_config.default_segment_number = 2
        try storage!.createCollection("m", config: cfg)
        var c = try storage!.collection("m")
        for start in stride(from: 0, to: 1050, by: 50) {
            _ = try c.upsert((start..<min(1050, start + 50)).map { point(UInt64($0), vector($0), ["i": .int(Int64($0))]) }, wait: true)
        }
        // Deletions and an update spread over the sealed segments and the appendable one.
        _ = try c.delete(.ids(stride(from: 0, to: 1050, by: 7).map { PointID.number(UInt64($0)) }), wait: true)
        _ = try c.upsert([point(3, [9, 9, 9, 9], ["i": .string("updated")])], wait: true)
        let sealedBefore = c.shards[0].segments.count - 1
        #expect(sealedBefore >= 9)
        let probes = (0..<20).map { vector($0 * 50 + 1) }
        func answers(_ c: Collection) throws -> [[PointID]] {
            try probes.map { try c.search(SearchRequest(vector: $0, limit: 10)).map(\.id) }
        }
        let before = try answers(c)
        let live = (0..<1050).filter { $0 % 7 != 0 }
        try storage!.optimizeNow()
        #expect(c.info().segments_count == 2)  // one merged sealed segment and the appendable one
        #expect(c.info().status == "green")
        func check(_ c: Collection) throws {
            #expect(c.count(filter: nil) == live.count)
            let got = c.retrieve((0..<1050).map { .number(UInt64($0)) }, payload: .all, vectors: .all)
            #expect(got.map(\.id) == live.map { .number(UInt64($0)) })
            for r in got {
                guard case .number(let n) = r.id else { continue }
                #expect(r.payload == ["i": n == 3 ? .string("updated") : .int(Int64(n))])
                #expect(r.vectors?[""] == (n == 3 ? [9, 9, 9, 9] : vector(Int(n))))
            }
            #expect(try answers(c) == before)
        }
        try check(c)
        let dirs = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/collections/m/0/segments").filter { !$0.hasPrefix(".") }
        #expect(dirs.count == 1)  // the merged segment; the appendable one lives in the WAL until sealed
        try storage!.close()
        storage = nil
        let reopened = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100), logger: testLogger)
        c = try reopened.collection("m")
        try check(c)
        // Writes after the merge land, and delete from the merged segment.
        _ = try c.delete(.ids([.number(1)]), wait: true)
        #expect(c.count(filter: nil) == live.count - 1)
    }
}
