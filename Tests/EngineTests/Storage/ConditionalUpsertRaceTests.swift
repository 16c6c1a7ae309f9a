import Foundation
import Testing
@testable import Engine

/// `update_filter` is a compare-and-set: the check and the write are one step under the shard's
/// write lock. Several threads increment one counter by "replace v=k with v=k+1 only if v==k";
/// every write that reports success must show up in the final value. If a writer could slip in
/// between check and write, two threads would both succeed from the same k and an increment would
/// be lost (final value < successes).
@Suite struct ConditionalUpsertRaceTests {
    let dir = TempDir()

    @Test func compareAndSetLosesNoIncrement() throws {
        let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 50), logger: testLogger)
        try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .dot)))))
        let c = try s.collection("c")
        try c.upsert([point(1, [1, 0], ["v": .int(0)])], wait: false)
        let threads = 4, attemptsPerThread = 150
        let successes = Counter()
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for _ in 0..<attemptsPerThread {
                    guard case .int(let k)? = c.retrieve([.number(1)], payload: .all, vectors: .none).first?.payload?["v"] else { continue }
                    let filter = Filter(must: [.field(FieldCondition(key: "v", match: .value(.int(k))))])
                    let op = try? c.upsert([point(1, [1, 0], ["v": .int(k + 1)])], wait: false, mode: .upsert, filter: filter)
                    if let op, op != 0 { successes.add() }
                }
            }
        }
        group.wait()
        let final = c.retrieve([.number(1)], payload: .all, vectors: .none).first?.payload?["v"]
        let n = successes.value
        #expect(n > 0)
        #expect(final == .int(Int64(n)), "every reported success must be one increment")
    }

    @Test func modesStillSelectAsBefore() throws {
        let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 50), logger: testLogger)
        try s.createCollection("m", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .dot)), shardNumber: 3)))
        let c = try s.collection("m")
        try c.upsert((1...6).map { point($0, [1, 0], ["g": .int(Int64($0 % 2))]) }, wait: false)
        #expect(try c.upsert([point(1, [0, 1], ["x": .bool(true)]), point(7, [0, 1])], wait: false, mode: .insertOnly, filter: nil) != 0)
        #expect(c.retrieve([.number(1)], payload: .all, vectors: .none)[0].payload?["x"] == nil)
        #expect(c.count(filter: nil) == 7)
        #expect(try c.upsert([point(8, [0, 1])], wait: false, mode: .updateOnly, filter: nil) == 0)
        let even = Filter(must: [.field(FieldCondition(key: "g", match: .value(.int(0))))])
        try c.upsert((1...6).map { point($0, [1, 0], ["done": .bool(true)]) }, wait: true, mode: .upsert, filter: even)
        let done = c.count(filter: Filter(must: [.field(FieldCondition(key: "done", match: .value(.bool(true))))]))
        #expect(done == 3)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
