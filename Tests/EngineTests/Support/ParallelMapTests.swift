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

    /// `max_search_threads`: the limit caps a map's width, 0 means one thread per CPU, and a
    /// map never has more workers than pieces.
    @Test func widthIsCappedByTheLimitAndThePieces() {
        #expect(ParallelMap.width(pieces: 100, limit: 3, cpus: 8) == 3)
        #expect(ParallelMap.width(pieces: 100, limit: 0, cpus: 8) == 8)
        #expect(ParallelMap.width(pieces: 2, limit: 0, cpus: 8) == 2)
        #expect(ParallelMap.width(pieces: 5, limit: 1, cpus: 8) == 1)
        #expect(ParallelMap.width(pieces: 0, limit: 4, cpus: 8) == 1)
    }

    @Test func oneThreadRunsThePiecesInTurnOnTheCaller() throws {
        let caller = UInt64(pthread_self())
        let seen = Mutex((threads: Set<UInt64>(), running: 0, peak: 0))
        let out = try ParallelMap.map(Array(0..<40), threads: 1) { i -> Int in
            seen.withLock { s in
                s.threads.insert(UInt64(pthread_self()))
                s.running += 1
                s.peak = max(s.peak, s.running)
            }
            usleep(200)
            seen.withLock { $0.running -= 1 }
            return i + 1
        }
        #expect(out == Array(1...40))
        #expect(seen.withLock { $0.threads } == [caller])
        #expect(seen.withLock { $0.peak } == 1)
    }

    @Test func theLimitCapsHowManyPiecesRunAtOnce() throws {
        let seen = Mutex((running: 0, peak: 0))
        let out = try ParallelMap.map(Array(0..<60), threads: 2) { i -> Int in
            seen.withLock { s in
                s.running += 1
                s.peak = max(s.peak, s.running)
            }
            usleep(1000)
            seen.withLock { $0.running -= 1 }
            return i * 2
        }
        #expect(out == (0..<60).map { $0 * 2 })
        #expect(seen.withLock { $0.peak } <= 2)
    }
}
