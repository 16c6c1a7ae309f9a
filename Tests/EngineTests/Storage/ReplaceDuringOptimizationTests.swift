import Foundation
import Testing
@testable import Engine

/// Restoring a shard or a collection snapshot over data an optimization job is working on:
/// the restore stops the job and waits for it, the job throws its work away (no error, no
/// files left in the directory that now holds the new data), and the next optimizer pass
/// optimizes the restored data.
@Suite struct ReplaceDuringOptimizationTests {
    func storage(_ dir: TempDir) throws -> Storage { try storageAwaitingIndex(dir, seed: 7) }

    /// Runs `shard`'s optimizer on a thread, held at its first check until `restore` (run on
    /// another thread) has asked it to stop, and a while longer (the restore would finish in
    /// that time were it not waiting); returns what the job did.
    func optimizeWhile(_ shard: Shard, restore: @escaping @Sendable () throws -> Void) throws -> (jobs: Int, phases: [String]) {
        let reached = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let phases = PhaseLog()
        shard.optimizerState.checkpoint = { phase in
            if phases.append(phase) == 1 {
                reached.signal()
                release.wait()
            }
        }
        defer { shard.optimizerState.checkpoint = nil }
        let job = GrantBox<Result<Int, any Error>?>(nil)
        Thread { job.set(Result { try shard.optimize() }) }.start()
        reached.wait()  // the job copied the points and is about to build the graph
        let restored = GrantBox<Result<Void, any Error>?>(nil)
        Thread { restored.set(Result { try restore() }) }.start()
        // The restore has unpacked and test-opened the archive and asked the job to stop.
        let asked = Date().addingTimeInterval(60)
        while Date() < asked, !shard.optimizerState.stopRequested, restored.get() == nil { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(restored.get() == nil, "the restore waits for the job in flight")
        release.signal()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, restored.get() == nil || job.get() == nil { Thread.sleep(forTimeInterval: 0.02) }
        try #require(restored.get() != nil && job.get() != nil)
        try restored.get()!.get()
        return (try job.get()!.get(), phases.all)
    }

    /// Only what `shard.json` lists is in the shard's segments directory (nothing the job wrote).
    func expectOnlyListedSegments(_ shard: Shard) throws {
        let state = try #require(try Shard.State.read(shardDir: shard.dir))
        #expect(Set(FileIO.listDirectory(shard.segmentsDir)) == Set(state.segments))
    }

    func snapshot(_ write: (any ByteSink) throws -> Void) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try write(CallbackSink(write: { bytes.append(contentsOf: $0) }))
        return bytes
    }

    @Test func shardRestoreStopsTheJobInFlightAndWaitsForIt() throws {
        let dir = TempDir()
        let s = try storage(dir)
        let archive = try snapshot { _ = try s.writeShardSnapshot("c", shard: 0, to: $0) }
        let shard = try s.collection("c").shards[0]
        let run = try optimizeWhile(shard) {
            try s.restoreShard("c", shard: 0, from: BufferSource(archive), checksum: nil)
        }
        #expect(run.jobs == 0, "the job stopped instead of swapping in a segment of the old data")
        #expect(run.phases == ["build"], "it stopped at its next check: no graph, no write, no swap")
        #expect(shard.optimizerState.lastError == nil)
        try expectOnlyListedSegments(shard)
        #expect(try s.collection("c").count(filter: nil) == 1000)
        #expect(try shard.optimize() == 1, "the restored data is optimized by the next pass")
        #expect(try s.collection("c").info().indexed_vectors_count == 1000)
    }

    @Test func collectionRestoreStopsTheJobInFlightAndWaitsForIt() throws {
        let dir = TempDir()
        let s = try storage(dir)
        let archive = try snapshot { _ = try s.writeCollectionSnapshot("c", to: $0) }
        let old = try s.collection("c").shards[0]
        let run = try optimizeWhile(old) {
            try s.restoreCollection("c", from: BufferSource(archive), checksum: nil)
        }
        #expect(run.jobs == 0)
        #expect(run.phases == ["build"])
        #expect(old.optimizerState.lastError == nil)
        let shard = try s.collection("c").shards[0]
        #expect(shard !== old)
        try expectOnlyListedSegments(shard)
        #expect(try shard.optimize() == 1)
        #expect(try s.collection("c").info().indexed_vectors_count == 1000)
    }

    @Test func pauseKeepsJobsFromStartingUntilResumed() throws {
        let dir = TempDir()
        let s = try storage(dir)
        let shard = try s.collection("c").shards[0]
        shard.optimizerState.pause()
        #expect(try shard.optimize() == 0, "no job starts while paused")
        shard.optimizerState.resume()
        #expect(try shard.optimize() == 1)
    }
}

/// The phases an optimization job checked, in order.
final class PhaseLog: @unchecked Sendable {
    private let lock = NSLock()
    private var phases: [String] = []
    /// Records `phase`; returns how many were recorded.
    func append(_ phase: String) -> Int { lock.withLock { phases.append(phase); return phases.count } }
    var all: [String] { lock.withLock { phases } }
}
