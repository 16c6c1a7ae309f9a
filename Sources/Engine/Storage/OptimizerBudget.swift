import Foundation

/// Qdrant's `storage.performance` settings that shape the background optimizer
/// (`lib/storage/src/types.rs` `PerformanceConfig`, `lib/common/common/src/cpu.rs`).
public struct OptimizerSettings: Sendable, Equatable {
    /// `optimizer_cpu_budget`: CPUs (threads) all optimization jobs together may use. 0 = auto
    /// (every CPU, keeping one free from 3 CPUs on, more on large machines); negative = the
    /// CPUs minus that many; positive = exactly that many. Always at least 1.
    public var cpuBudget: Int
    /// `max_optimization_runtime_threads`: most optimization jobs running at once over the whole
    /// storage (Qdrant's optimizer runtime size). 0 = auto: as many as the CPU budget allows.
    public var runtimeThreads: Int

    public init(cpuBudget: Int = 0, runtimeThreads: Int = 0) {
        self.cpuBudget = cpuBudget
        self.runtimeThreads = runtimeThreads
    }

    /// The CPU budget in threads, as Qdrant's `get_cpu_budget` computes it.
    public func cpus(available: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        if cpuBudget > 0 { return cpuBudget }
        let reserve = cpuBudget < 0 ? -cpuBudget : Self.defaultUnallocated(available)
        return max(1, available - reserve)
    }

    /// The worker threads of the optimizer: one job each.
    public func workers(available: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        runtimeThreads > 0 ? runtimeThreads : cpus(available: available)
    }

    /// CPUs Qdrant's auto budget keeps free (`default_cpu_budget_unallocated`).
    static func defaultUnallocated(_ cpus: Int) -> Int {
        switch cpus {
        case ...2: return 0
        case 3...32: return 1
        case 33...48: return 2
        case 49...64: return 3
        case 65...96: return 4
        case 97...128: return 6
        default: return cpus / 16
        }
    }
}

/// The CPUs optimization jobs share (Qdrant's `ResourceBudget`): a job takes the threads it
/// wants for its HNSW builds, or what is left when fewer are free (at least one), and waits while
/// none is free, so all running jobs together never use more than `total` threads.
final class OptimizerBudget: @unchecked Sendable {
    let total: Int
    private let condition = NSCondition()
    private var free: Int
    private var jobs = 0
    private var _peakJobs = 0

    init(total: Int) {
        self.total = max(1, total)
        self.free = self.total
    }

    /// Takes between 1 and `wanted` CPUs (0 = all of the budget), waiting while none is free.
    /// - Returns: the CPUs granted; give them back with `release`.
    func acquire(_ wanted: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while free == 0 { condition.wait() }
        let granted = min(free, wanted > 0 ? wanted : total)
        free -= granted
        jobs += 1
        _peakJobs = max(_peakJobs, jobs)
        return granted
    }

    func release(_ cpus: Int) {
        condition.lock()
        free += cpus
        jobs -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The most jobs that held CPUs at the same time.
    var peakJobs: Int {
        condition.lock()
        defer { condition.unlock() }
        return _peakJobs
    }
}
