import Engine
import Foundation

/// Qdrant's `storage.performance` keys that qdb's background optimizer applies (Qdrant's
/// `PerformanceConfig`): `optimizer_cpu_budget` (0 = auto, negative = CPUs minus that many,
/// positive = exactly) and `max_optimization_runtime_threads` (0 = auto). `max_search_threads`
/// stays logged as ignored: qdb has no search thread pool (a search runs on its request's task).
extension ServeConfig {
    /// Records `key` when it is one of those; false for any other key.
    mutating func setPerformance(_ key: String, _ raw: Any, source: String) throws -> Bool {
        let range: ClosedRange<Int>
        switch key {
        case "storage.performance.optimizer_cpu_budget": range = -4096...4096
        case "storage.performance.max_optimization_runtime_threads": range = 0...4096
        default: return false
        }
        guard !(raw is NSNull), let n = Int("\(raw)"), range.contains(n) else {
            throw ConfigError("bad value `\(raw)` for `\(key)` in \(source): expected an integer in \(range)")
        }
        if key.hasSuffix("optimizer_cpu_budget") { optimizer.cpuBudget = n } else { optimizer.runtimeThreads = n }
        return true
    }
}
