import Foundation
import Synchronization
import Testing
@testable import Engine

@Suite struct ParallelMapTests {
    struct Failure: Error, Equatable { var index: Int }

    @Test func keepsOrderAndUsesSeveralThreads() throws {
        let threads = Mutex(Set<UInt64>())
        let out = try ParallelMap.map(Array(0..<200)) { i -> Int in
            let tid = UInt64(pthread_self())
            threads.withLock { _ = $0.insert(tid) }
            // The first piece waits (up to 30 s) until another thread has taken a piece: with one
            // thread doing every piece in turn, it times out and the count below stays 1. (A
            // fixed sleep was not enough on a loaded machine.)
            if i == 0 {
                let deadline = Date().addingTimeInterval(30)
                while threads.withLock({ $0.count }) < 2, Date() < deadline { usleep(1000) }
            }
            return i * i
        }
        #expect(out == (0..<200).map { $0 * $0 })
        if ProcessInfo.processInfo.activeProcessorCount > 1 {
            #expect(threads.withLock { $0.count } > 1)
        }
    }

    @Test func throwsTheFirstFailureByPosition() {
        #expect(throws: Failure(index: 3)) {
            try ParallelMap.map(Array(0..<50)) { i -> Int in
                if i == 3 || i == 40 { throw Failure(index: i) }
                return i
            }
        }
        #expect(throws: Failure(index: 0)) { try ParallelMap.map([0]) { throw Failure(index: $0) } }
    }
}
