import Foundation
import Testing
@testable import Engine

/// A crash after an optimization swapped its segment in, before the next seal: the WAL tail
/// replays over the optimized segment, so a payload update whose point was copied out of the
/// old segment (the old copy deleted, the new one only in memory and the WAL) must still find
/// its point there, or the point is lost.
@Suite struct OptimizerDurabilityTests {
    func storage(_ dir: TempDir) throws -> Storage {
        try storageAwaitingIndex(dir, seed: 11) { ["i": .int(Int64($0))] }
    }

    func reopened(_ dir: TempDir) throws -> Collection {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100_000), logger: testLogger).collection("c")
    }

    @Test func payloadUpdatesBeforeAndDuringTheJobSurviveACrashAfterTheSwap() throws {
        let dir = TempDir()
        var expected: [PointState] = []
        do {
            let s = try storage(dir)
            let c = try s.collection("c")
            let shard = c.shards[0]
            // Before the job: the point's sealed copy is deleted, its new copy is in the WAL only.
            _ = try c.setPayload(["before": .bool(true)], key: nil, .ids([.number(5)]), wait: true)
            _ = try c.overwritePayload(["only": .int(1)], .ids([.number(6)]), wait: true)
            // During the job (after it took its copy of the sources' deletions).
            let writes = GrantBox<Result<Void, any Error>?>(nil)
            shard.optimizerState.checkpoint = { phase in
                guard phase == "build", writes.get() == nil else { return }
                writes.set(Result {
                    _ = try c.setPayload(["during": .bool(true)], key: nil, .ids([.number(7)]), wait: true)
                    _ = try c.deletePayload(keys: ["i"], .ids([.number(8)]), wait: true)
                    _ = try c.clearPayload(.ids([.number(9)]), wait: true)
                    _ = try c.delete(.ids([.number(10)]), wait: true)
                })
            }
            #expect(try shard.optimize() == 1)
            shard.optimizerState.checkpoint = nil
            try #require(writes.get() != nil)
            try writes.get()!.get()
            #expect(shard.segments[0].graphs[0] != nil, "the job swapped in an indexed segment")
            expected = allPoints(c)
            // No close(): the process "dies" here, after the swap and before any seal.
        }
        let c = try reopened(dir)
        let got = allPoints(c)
        #expect(got.count == 999)
        #expect(got == expected)
        let byID = Dictionary(uniqueKeysWithValues: got.map { ($0.id, $0.payload) })
        #expect(byID[.number(5)] == ["i": .int(5), "before": .bool(true)])
        #expect(byID[.number(6)] == ["only": .int(1)])
        #expect(byID[.number(7)] == ["i": .int(7), "during": .bool(true)])
        #expect(byID[.number(8)] == [:])
        #expect(byID[.number(9)] == [:])
        #expect(byID[.number(10)] == nil)
    }

    @Test func aPayloadUpdateOfSealedPointsIsLoggedAsUpsertsOfBoundedSize() throws {
        let dir = TempDir()
        let s = try storage(dir)
        let c = try s.collection("c")
        let shard = c.shards[0]
        _ = try c.upsert([point(2000, [1, 0, 0, 0, 0, 0, 0, 0])], wait: true)  // in the appendable segment
        let ops = shard.lock.read { shard.loggable(.setPayload(ids: (0..<1000).map { .number(UInt64($0)) } + [.number(2000), .number(5000)], payload: ["k": .int(1)], key: nil)) }
        #expect(ops.count == 1 + 1, "1000 sealed points in one upsert record, the appendable one as the payload operation")
        guard case .upsert(let points) = ops[0], case .setPayload(let ids, _, _) = ops[1] else {
            Issue.record("got \(ops)")
            return
        }
        #expect(points.count == 1000 && points[5].payload == ["i": .int(5), "k": .int(1)])
        #expect(ids == [.number(2000)], "ids not in the shard are left out")
        let many = (0..<2500).map { SlotPoint(id: .number(UInt64($0)), vectors: [[Float](repeating: 0, count: 8)], payload: [:]) }
        #expect(WriteOperation.upserts(many).map { op -> Int in
            guard case .upsert(let p) = op else { return -1 }
            return p.count
        } == [1024, 1024, 452])
        let wide = (0..<20).map { SlotPoint(id: .number(UInt64($0)), vectors: [[Float](repeating: 0, count: 1 << 20)], payload: [:]) }
        #expect(WriteOperation.upserts(wide).map { op -> Int in
            guard case .upsert(let p) = op else { return -1 }
            return p.count
        } == [15, 5], "4 MiB vectors: 15 to a 64 MiB record")
    }
}
