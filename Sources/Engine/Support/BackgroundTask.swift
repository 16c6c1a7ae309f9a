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
