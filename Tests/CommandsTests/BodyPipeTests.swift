import Engine
import Foundation
import Testing
@testable import Commands

/// The hand-off from a request body to a blocking recovery: order, back-pressure, the
/// producer's failure, and a reader that gave up.
@Suite struct BodyPipeTests {
    /// Reads `pipe` to its end on a plain thread (as a recovery on the blocking queue does).
    func readAll(_ pipe: BodyPipe, chunk: Int = 1000) async -> Result<[UInt8], any Error> {
        await withCheckedContinuation { cont in
            Thread {
                let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
                defer { buf.deallocate() }
                var out: [UInt8] = []
                do {
                    while true {
                        let n = try pipe.read(into: buf)
                        if n == 0 { break }
                        out += buf[0..<n]
                    }
                    cont.resume(returning: .success(out))
                } catch {
                    cont.resume(returning: .failure(error))
                }
            }.start()
        }
    }

    @Test func bytesArriveInOrderThroughASmallPipe() async throws {
        let pipe = BodyPipe(capacity: 4096)  // far less than what is sent: the producer must wait
        let sent = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        async let received = readAll(pipe, chunk: 777)
        var i = 0
        while i < sent.count {
            let n = min(1500 + i % 700, sent.count - i)
            await pipe.write(Array(sent[i..<(i + n)]))
            i += n
        }
        pipe.finish(failed: false)
        #expect(try await received.get() == sent)
    }

    @Test func producerFailureReachesTheReader() async {
        let pipe = BodyPipe(capacity: 1 << 20)
        async let received = readAll(pipe)
        await pipe.write([1, 2, 3])
        pipe.finish(failed: true)
        switch await received {
        case .success: Issue.record("a failed producer must not look like a complete stream")
        case .failure(let e): #expect(e is BodyPipe.ProducerFailed)
        }
    }

    @Test func writesAfterTheReaderLeftAreDroppedWithoutWaiting() async {
        let pipe = BodyPipe(capacity: 10)
        await pipe.write(Array(repeating: 7, count: 10))  // fills it
        let waiting = Task { await pipe.write(Array(repeating: 8, count: 10)) }  // waits for space
        try? await Task.sleep(for: .milliseconds(50))
        pipe.closeReader()
        await waiting.value  // resumed by closeReader
        for _ in 0..<100 { await pipe.write(Array(repeating: 9, count: 1000)) }  // dropped, never blocks
        pipe.finish(failed: false)
    }
}
