import Engine
import Foundation

/// Qdrant's `storage.performance` keys qdb applies (Qdrant's `PerformanceConfig`): for the
/// background optimizer, `optimizer_cpu_budget` (0 = auto, negative = CPUs minus that many,
/// positive = exactly) and `max_optimization_runtime_threads` (0 = auto); for searches,
/// `max_search_threads`, the most threads one batch search runs on (`ParallelMap`; 0 = auto,
/// one per CPU: Qdrant's auto overcommits 4× for its I/O-bound search runtime, qdb's batch
/// pieces are CPU-bound).
extension ServeConfig {
    /// Records `key` when it is one of those; false for any other key.
    mutating func setPerformance(_ key: String, _ raw: Any, source: String) throws -> Bool {
        let range: ClosedRange<Int>
        switch key {
        case "storage.performance.optimizer_cpu_budget": range = -4096...4096
        case "storage.performance.max_optimization_runtime_threads", "storage.performance.max_search_threads": range = 0...4096
        default: return false
        }
        guard !(raw is NSNull), let n = Int("\(raw)"), range.contains(n) else {
            throw ConfigError("bad value `\(raw)` for `\(key)` in \(source): expected an integer in \(range)")
        }
        switch key {
        case "storage.performance.optimizer_cpu_budget": optimizer.cpuBudget = n
        case "storage.performance.max_search_threads": maxSearchThreads = n
        default: optimizer.runtimeThreads = n
        }
        return true
    }
}
