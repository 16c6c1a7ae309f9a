import Dispatch
import Foundation

/// Work split over threads of its own that end with it. Unlike `DispatchQueue.concurrentPerform`,
/// whose shared pool threads run at normal priority, these threads take the CPU priority of the
/// thread that starts them (Linux copies a thread's nice value to the threads it creates): an
/// HNSW build started by the background optimizer (nice 10) then yields the cores to the
/// requests being served, instead of competing with ingest for them.
enum WorkerThreads {
    /// Runs `body(i)` for every `i` in `0..<count`, each on its own thread (the caller runs
    /// `body(0)`), and returns when all have returned.
    static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            body(0)
            return
        }
        let group = DispatchGroup()
        for i in 1..<count {
            group.enter()
            Thread.detachNewThread {
                body(i)
                group.leave()
            }
        }
        body(0)
        group.wait()
    }
}
