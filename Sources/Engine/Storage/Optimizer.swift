import CQDBSys
import Foundation

/// The background optimizer of a storage (`qdb serve` starts it): worker threads at background
/// priority (`OptimizerSettings.workers`) that look over every shard of every collection and run
/// the optimizations it needs (`Shard+Optimize`), one job per shard at a time. Jobs share the
/// CPU budget (`optimizer_cpu_budget`): each takes its collection's `max_indexing_threads`
/// (0 = the whole budget) or what is left, so together they never use more. Woken by seals and
/// config changes, and every `interval` regardless, so work left by a crash or a restore
/// resumes on its own.
public final class Optimizer: @unchecked Sendable {
    private weak var storage: Storage?
    private let wake = DispatchSemaphore(value: 0)
    private let interval: Double
    private let mutex = NSLock()
    private var stopped = false
    /// Worker threads: at most this many jobs run at once.
    public let workers: Int
    let budget: OptimizerBudget
    /// The CPUs (threads) all running jobs together may use.
    public var cpuBudget: Int { budget.total }

    init(storage: Storage, interval: Double, settings: OptimizerSettings = OptimizerSettings()) {
        self.storage = storage
        self.interval = interval
        self.workers = settings.workers()
        self.budget = OptimizerBudget(total: settings.cpus())
    }

    func start() {
        for _ in 0..<workers {
            Thread.detachNewThread { [self] in
                _ = qdb_lower_thread_priority(10)
                while !isStopped, let storage {
                    // A shard another worker is optimizing is skipped (`optimize` returns 0).
                    for shard in storage.liveShards() where !isStopped {
                        do {
                            try shard.optimize(budget: budget)
                        } catch {
                            storage.logger.error("optimization failed", metadata: ["shard": "\(shard.dir)", "error": "\(error)"])
                        }
                    }
                    _ = wake.wait(timeout: .now() + interval)
                }
            }
        }
    }

    /// Asks for a pass soon (after a seal or a config change).
    public func poke() { for _ in 0..<workers { wake.signal() } }

    public func stop() {
        mutex.withLock { stopped = true }
        for _ in 0..<workers { wake.signal() }
    }

    private var isStopped: Bool { mutex.withLock { stopped } }
}

extension Storage {
    /// Every shard of every live collection.
    func liveShards() -> [Shard] {
        mutex.withLock { collections.keys.sorted().flatMap { collections[$0]!.shards } }
    }

    /// Starts the background optimizer (idempotent); `qdb serve` calls it once the storage is
    /// open, with Qdrant's `storage.performance` settings.
    @discardableResult
    public func startOptimizer(interval: Double = 1, settings: OptimizerSettings = OptimizerSettings()) -> Optimizer {
        mutex.withLock {
            if let o = optimizer { return o }
            let o = Optimizer(storage: self, interval: interval, settings: settings)
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
