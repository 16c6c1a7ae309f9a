import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A transfer that runs on its own thread and writes into a pipe whose read end the caller
/// drains: the shared machinery of `HTTPSource` and `S3ObjectSource`. `finish()` closes the read
/// end (so a transfer whose reader gave up stops at its next write) and waits for the thread.
final class PipedTransfer: @unchecked Sendable {
    private let readFD: Int32
    private let done = DispatchSemaphore(value: 0)
    private var failure: (any Error)?
    private var finished = false

    /// Starts `transfer(writeFD)` on a new thread; it returns the error that ended it, if any.
    /// The write end is closed when it returns.
    init(pipeError: @autoclosure () -> any Error, _ transfer: @escaping @Sendable (Int32) -> (any Error)?) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw pipeError() }
        readFD = fds[0]
        let writeFD = fds[1]
        let thread = Thread { [self] in
            let error = transfer(writeFD)
            close(writeFD)
            failure = error
            done.signal()
        }
        thread.start()
    }

    deinit {
        close(readFD)
        if !finished { done.wait() }
    }

    /// Reads what the transfer wrote so far (0 at its end), retrying EINTR.
    func read(into buffer: UnsafeMutableRawBufferPointer, error: @autoclosure () -> any Error) throws -> Int {
        while true {
            let n = Glibc.read(readFD, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw error() }
        }
    }

    /// Waits for the transfer to end and throws its failure.
    func finish() throws {
        if !finished {
            close(readFD)
            done.wait()
            finished = true
        }
        if let failure { throw failure }
    }
}
