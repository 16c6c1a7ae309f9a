import Foundation
import Testing
@testable import Engine

/// Qdrant's `storage.performance.optimizer_cpu_budget` and `max_optimization_runtime_threads`,
/// and the collection's `max_optimization_threads`, applied to the background optimizer: the
/// budget bounds how many optimization jobs run at once, and 0 optimization threads disables them.
@Suite struct OptimizerBudgetTests {
    @Test func cpuBudgetFollowsQdrantsRules() {
        // 0 = auto: every CPU up to 2, one kept free from 3 to 32, more on large machines.
        #expect([1, 2, 3, 8, 32, 40, 64, 96, 128, 256].map { OptimizerSettings(cpuBudget: 0).cpus(available: $0) }
                == [1, 2, 2, 7, 31, 38, 61, 92, 122, 240])
        // Negative: the CPUs minus that many, at least one; positive: exactly that many.
        #expect(OptimizerSettings(cpuBudget: -1).cpus(available: 8) == 7)
        #expect(OptimizerSettings(cpuBudget: -10).cpus(available: 4) == 1)
        #expect(OptimizerSettings(cpuBudget: 3).cpus(available: 2) == 3)
        #expect(OptimizerSettings(cpuBudget: 2, runtimeThreads: 0).workers(available: 8) == 2)
        #expect(OptimizerSettings(cpuBudget: 2, runtimeThreads: 5).workers(available: 8) == 5)
    }

    @Test func jobsTakeWhatIsLeftAndWaitWhenNothingIs() throws {
        let budget = OptimizerBudget(total: 3)
        #expect(budget.acquire(2) == 2)
        #expect(budget.acquire(0) == 1, "auto takes what is left")
        let got = GrantBox<Int?>(nil)
        let waiter = Thread { got.set(budget.acquire(1)) }
        waiter.start()
        Thread.sleep(forTimeInterval: 0.2)
        #expect(got.get() == nil, "a job waits while no CPU is free")
        budget.release(2)
        for _ in 0..<100 where got.get() == nil { Thread.sleep(forTimeInterval: 0.05) }
        #expect(got.get() == 1)
        #expect(budget.peakJobs == 2)
    }

    /// Four collections to index, four optimizer workers: the CPU budget (with one indexing
    /// thread per job) is what bounds the jobs running at once.
    func peakJobs(cpuBudget: Int, disabled: Set<String> = []) throws -> (peak: Int, indexed: [String: Int]) {
        let dir = TempDir()
        let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100_000), logger: testLogger)
        let names = ["a", "b", "c", "d"]
        for (k, name) in names.enumerated() {
            var c = CollectionConfig(params: .init(vectors: .single(.init(size: 8, distance: .cosine))))
            c.optimizer_config.indexing_threshold = 1
            c.hnsw_config.max_indexing_threads = 1
            if disabled.contains(name) { c.optimizer_config.max_optimization_threads = 0 }
            try s.createCollection(name, config: c)
            let data = ClusteredData(count: 1000, dim: 8, clusters: 20, queries: 1, distance: .cosine, seed: UInt64(k + 1))
            let points = (0..<1000).map { i in point(UInt64(i), Array(data.points[(i * 8)..<(i * 8 + 8)])) }
            _ = try s.collection(name).upsert(points, wait: true)
            try s.collection(name).close()  // seals: each collection has a segment to index
        }
        let optimizer = s.startOptimizer(interval: 0.1, settings: OptimizerSettings(cpuBudget: cpuBudget, runtimeThreads: 4))
        defer { optimizer.stop() }
        #expect(optimizer.workers == 4)
        let deadline = Date().addingTimeInterval(180)
        func indexed() throws -> [String: Int] {
            Dictionary(uniqueKeysWithValues: try names.map { ($0, try s.collection($0).info().indexed_vectors_count) })
        }
        while Date() < deadline, try indexed().filter({ !disabled.contains($0.key) }).values.contains(where: { $0 < 1000 }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        return (optimizer.budget.peakJobs, try indexed())
    }

    @Test func theCPUBudgetLimitsConcurrentOptimizationJobs() throws {
        let one = try peakJobs(cpuBudget: 1)
        #expect(one.indexed.values.allSatisfy { $0 == 1000 })
        #expect(one.peak == 1, "a budget of one CPU runs one job at a time")
        let two = try peakJobs(cpuBudget: 2)
        #expect(two.indexed.values.allSatisfy { $0 == 1000 })
        #expect(two.peak == 2, "two CPUs, one indexing thread per job: two jobs at once, never more")
    }

    @Test func zeroOptimizationThreadsDisablesOptimizations() throws {
        let run = try peakJobs(cpuBudget: 2, disabled: ["b"])
        #expect(run.indexed["b"] == 0, "max_optimization_threads 0: no optimization runs")
        #expect(run.indexed["a"] == 1000 && run.indexed["c"] == 1000 && run.indexed["d"] == 1000)
    }
}

/// A value shared with another thread under a lock.
final class GrantBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func get() -> T { lock.withLock { value } }
    func set(_ v: T) { lock.withLock { value = v } }
}
