import Foundation
import Testing
@testable import Engine

/// Seals of full appendable segments in the background (`Shard+BackgroundSeal`): writes go on
/// meanwhile, nothing acknowledged is lost at any point, and an inline seal supersedes one in
/// flight.
@Suite struct BackgroundSealTests {
    static let threshold = Shard.backgroundSealMinPoints

    func open(_ path: String) throws -> Storage {
        try Storage.open(StorageOptions(path: path, sealThreshold: Self.threshold), logger: testLogger)
    }

    func create(_ s: Storage) throws -> Collection {
        try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .euclid)))))
        return try s.collection("c")
    }

    func points(_ ids: Range<Int>) -> [PointInput] {
        ids.map { point(UInt64($0), [Float($0), 1], ["n": .int(Int64($0))]) }
    }

    func waitForSeals(_ shard: Shard) {
        shard.optimizerState.waitForSeals()
    }

    func walFiles(_ root: String) -> [String] {
        FileIO.listDirectory(root + "/collections/c/0/wal")
    }

    func segmentDirs(_ root: String) -> Set<String> {
        Set(FileIO.listDirectory(root + "/collections/c/0/segments"))
    }

    func listed(_ root: String) throws -> Set<String> {
        Set(try Shard.State.read(shardDir: root + "/collections/c/0")?.segments ?? [])
    }

    /// A seal the test holds just before its swap, and releases.
    final class Gate: @unchecked Sendable {
        let reached = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        func hook(_ phase: String) {
            guard phase == "seal_install" else { return }
            reached.signal()
            release.wait()
        }
    }

    /// Fills the appendable segment to the threshold with the background seal held before its
    /// swap, then writes into both the frozen and the new appendable segment.
    func frozenWithLaterWrites(_ s: Storage, gate: Gate) throws -> Collection {
        let c = try create(s)
        c.shards[0].optimizerState.checkpoint = { gate.hook($0) }
        for start in stride(from: 0, to: Self.threshold, by: 1000) { try c.upsert(points(start..<(start + 1000)), wait: true) }
        gate.reached.wait()
        let shard = c.shards[0]
        #expect(shard.segments.count == 2 && !shard.segments[0].isSealed && shard.pendingSeal != nil)
        try c.delete(.ids((0..<100).map { .number(UInt64($0)) }), wait: true)  // in the frozen segment
        try c.setPayload(["tag": .string("x")], key: nil, .ids([.number(200)]), wait: true)  // moves it
        try c.upsert(points(Self.threshold..<(Self.threshold + 500)), wait: true)
        try c.delete(.ids([.number(UInt64(Self.threshold + 1))]), wait: true)
        return c
    }

    /// A storage at `dir` whose collection's seal is held by `gate`, with the later writes made,
    /// and every point as it then reads.
    func held(_ dir: TempDir, _ gate: Gate) throws -> (Storage, Collection, [PointState]) {
        let s = try open(dir.path)
        let c = try frozenWithLaterWrites(s, gate: gate)
        return (s, c, allPoints(c))
    }

    @Test func bulkLoadSealsInTheBackgroundAndSurvivesACrash() throws {
        let dir = TempDir()
        var expected: [PointState] = []
        do {
            let s = try open(dir.path)
            let c = try create(s)
            for start in stride(from: 0, to: 2 * Self.threshold + 3000, by: 1000) { try c.upsert(points(start..<(start + 1000)), wait: true) }
            waitForSeals(c.shards[0])
            let shard = c.shards[0]
            // Two thresholds passed; whether the second froze depends on the first's speed.
            #expect(shard.segments.filter(\.isSealed).count >= 1)
            #expect(shard.segments.dropLast().allSatisfy(\.isSealed) && shard.pendingSeal == nil)
            #expect(shard.segments.reduce(0) { $0 + $1.liveCount } == 2 * Self.threshold + 3000)
            #expect(try listed(dir.path) == Set(shard.segments.filter(\.isSealed).map(\.id)))
            // The sealed points' WAL files are gone: only the current file is left.
            #expect(walFiles(dir.path).count == 1)
            expected = allPoints(c)
            #expect(expected.count == 2 * Self.threshold + 3000)
            // No close(): a crash.
        }
        let s = try open(dir.path)
        #expect(allPoints(try s.collection("c")) == expected)
    }

    @Test func writesDuringTheSealAreKeptInMemoryAndAfterACrash() throws {
        let dir = TempDir()
        let gate = Gate()
        var expected: [PointState] = []
        do {
            let (_, c, points) = try held(dir, gate)
            expected = points
            #expect(expected.count == Self.threshold - 100 + 500 - 1)
            #expect(expected.first { $0.id == .number(200) }?.payload["tag"] == .string("x"))
            gate.release.signal()
            waitForSeals(c.shards[0])
            let shard = c.shards[0]
            #expect(shard.segments.count == 2 && shard.segments[0].isSealed && shard.pendingSeal == nil)
            #expect(shard.segments[0].liveCount == Self.threshold - 101)
            #expect(allPoints(c) == expected)
            #expect(try listed(dir.path) == [shard.segments[0].id])
            #expect(walFiles(dir.path).count == 1)
        }
        let s = try open(dir.path)
        #expect(allPoints(try s.collection("c")) == expected)
    }

    @Test func aCrashBeforeTheSwapReplaysTheFrozenPointsFromTheWAL() throws {
        let dir = TempDir(), crashed = TempDir()
        let gate = Gate()
        var expected: [PointState] = []
        do {
            let (_, c, points) = try held(dir, gate)
            expected = points
            // The disk as a crash would leave it now: the copy written but not listed, the
            // frozen points only in the older WAL file.
            #expect(walFiles(dir.path).count == 2)
            try FileManager.default.removeItem(atPath: crashed.path)
            try FileManager.default.copyItem(atPath: dir.path, toPath: crashed.path)
            try? FileManager.default.removeItem(atPath: crashed.path + "/.lock")
            gate.release.signal()
            waitForSeals(c.shards[0])
        }
        let s = try open(crashed.path)
        #expect(allPoints(try s.collection("c")) == expected)
        #expect(segmentDirs(crashed.path) == (try listed(crashed.path)))
    }

    @Test func anInlineSealSupersedesTheOneInFlight() throws {
        let dir = TempDir()
        let gate = Gate()
        var expected: [PointState] = []
        do {
            let (_, c, points) = try held(dir, gate)
            expected = points
            let shard = c.shards[0]
            try shard.seal()  // what a snapshot or a clean shutdown does
            #expect(shard.pendingSeal == nil && shard.segments.dropLast().allSatisfy(\.isSealed))
            gate.release.signal()
            waitForSeals(shard)
            // The background copy was thrown away: the disk holds exactly what shard.json lists.
            #expect(segmentDirs(dir.path) == (try listed(dir.path)))
            #expect(try listed(dir.path) == Set(shard.segments.filter(\.isSealed).map(\.id)))
            #expect(allPoints(c) == expected)
        }
        let s = try open(dir.path)
        #expect(allPoints(try s.collection("c")) == expected)
    }

    @Test func deletingTheCollectionWaitsForTheSeal() throws {
        let dir = TempDir()
        let gate = Gate()
        let s = try open(dir.path)
        _ = try frozenWithLaterWrites(s, gate: gate)
        let deleted = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? s.deleteCollection("c")
            deleted.signal()
        }
        // The delete waits for the held seal, which then gives up its swap.
        #expect(deleted.wait(timeout: .now() + 0.3) == .timedOut)
        gate.release.signal()
        deleted.wait()
        #expect(!FileIO.exists(dir.path + "/collections/c"))
        #expect(throws: StorageError.self) { _ = try s.collection("c") }
    }
}
