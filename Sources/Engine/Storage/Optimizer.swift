import CQDBSys
import Foundation

/// The background optimizer of a storage (`qdb serve` starts it): one thread at background
/// priority that looks over every shard of every collection and runs the optimizations it
/// needs (`Shard+Optimize`), one shard at a time; an HNSW build itself uses the collection's
/// `max_indexing_threads` (0 = every CPU). Woken by seals and config changes, and every
/// `interval` regardless, so work left by a crash or a restore resumes on its own.
public final class Optimizer: @unchecked Sendable {
    private weak var storage: Storage?
    private let wake = DispatchSemaphore(value: 0)
    private let interval: Double
    private let mutex = NSLock()
    private var stopped = false

    init(storage: Storage, interval: Double) {
        self.storage = storage
        self.interval = interval
    }

    func start() {
        Thread.detachNewThread { [self] in
            _ = qdb_lower_thread_priority(10)
            while !isStopped, let storage {
                for shard in storage.liveShards() where !isStopped {
                    do {
                        try shard.optimize()
                    } catch {
                        storage.logger.error("optimization failed", metadata: ["shard": "\(shard.dir)", "error": "\(error)"])
                    }
                }
                _ = wake.wait(timeout: .now() + interval)
            }
        }
    }

    /// Asks for a pass soon (after a seal or a config change).
    public func poke() { wake.signal() }

    public func stop() {
        mutex.withLock { stopped = true }
        wake.signal()
    }

    private var isStopped: Bool { mutex.withLock { stopped } }
}

extension Storage {
    /// Every shard of every live collection.
    func liveShards() -> [Shard] {
        mutex.withLock { collections.keys.sorted().flatMap { collections[$0]!.shards } }
    }

    /// Starts the background optimizer (idempotent); `qdb serve` calls it once the storage is open.
    @discardableResult
    public func startOptimizer(interval: Double = 1) -> Optimizer {
        mutex.withLock {
            if let o = optimizer { return o }
            let o = Optimizer(storage: self, interval: interval)
            optimizer = o
            o.start()
            return o
        }
    }

    /// Runs every pending optimization now, on the calling thread (tests, offline commands).
    public func optimizeNow() throws {
        for shard in liveShards() { try shard.optimize() }
    }
}
