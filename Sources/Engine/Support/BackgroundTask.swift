import CQDBSys
import Foundation

/// Runs `body` on a thread of its own (work that blocks: fsyncs, hashing a file) while the
/// caller goes on; `wait()` returns its result or throws its error, and may be called again.
final class BackgroundTask<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            outcome = Result { try body() }
            done.signal()
        }
    }

    func wait() throws -> T {
        done.wait()
        done.signal()  // later calls return at once
        return try outcome!.get()
    }
}

/// Work that competes with queries for the CPU and the disk (building and streaming a snapshot).
enum BackgroundPriority {
    private final class Job<R>: @unchecked Sendable {
        var body: (() throws -> R)?
        var result: Result<R, any Error>?
        let done = DispatchSemaphore(value: 0)
    }

    /// Runs `body` on a new thread at background priority (nice 10, lowest best-effort I/O
    /// priority) and waits for it, so the work yields to queries. The thread ends with the work:
    /// its lowered priority never leaks to anything else. The thread lets go of `body` before it
    /// signals, so `body` does not escape this call.
    static func run<R>(_ body: () throws -> R) throws -> R {
        try withoutActuallyEscaping(body) { body in
            let job = Job<R>()
            job.body = body
            Thread.detachNewThread {
                _ = qdb_lower_thread_priority(10)
                job.result = Result { try job.body!() }
                job.body = nil
                job.done.signal()
            }
            job.done.wait()
            return try job.result!.get()
        }
    }
}
