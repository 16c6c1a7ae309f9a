import Foundation
import Testing
@testable import Engine

@Suite struct OperationRegistryTests {
    @Test func runRecordsResultAndProgress() throws {
        let registry = OperationRegistry()
        let op = registry.start(.create_full_snapshot, collection: nil)
        let out = MemoryByteSink()
        let value = try registry.run(op) { op -> Int in
            let sink = op.track(out)
            try sink.write(Array(repeating: 1, count: 1000))
            try sink.write(Array(repeating: 2, count: 24))
            return 7
        }
        #expect(value == 7)
        let info = op.info
        #expect(info.phase == .succeeded && info.bytes_done == 1024 && info.result == .int(7) && info.finished_at != nil)
        #expect(registry.list().map(\.id) == [op.id])
    }

    @Test func cancelStopsTheNextWriteAndIsRecorded() throws {
        let registry = OperationRegistry()
        let op = registry.start(.upload_recover, collection: "c", total: 100)
        #expect(throws: OperationError.self) {
            try registry.run(op) { op -> Bool in
                let source = op.track(ChunkSource(chunks: 10))
                var buf = [UInt8](repeating: 0, count: 10)
                _ = try buf.withUnsafeMutableBytes { try source.read(into: $0) }
                _ = try registry.cancel(op.id)
                _ = try buf.withUnsafeMutableBytes { try source.read(into: $0) }
                return true
            }
        }
        #expect(op.info.phase == .cancelled && op.info.bytes_done == 10)
        #expect(throws: OperationError.self) { try registry.cancel(op.id) }  // finished
        #expect(throws: OperationError.self) { try registry.get("missing") }
    }

    @Test func otherErrorsAreFailuresNotCancellations() {
        let registry = OperationRegistry()
        let op = registry.start(.stored_recover, collection: "c")
        #expect(throws: OperationError.self) {
            try registry.run(op) { _ -> Bool in throw OperationError(.locked, "held elsewhere") }
        }
        #expect(op.info.phase == .failed && op.info.error == "held elsewhere")
    }

    @Test func finishedOperationsAreBoundedByCount() throws {
        let registry = OperationRegistry(maxFinished: 3)
        let running = registry.start(.create_collection_snapshot, collection: "r")
        for _ in 0..<5 {
            let op = registry.start(.create_collection_snapshot, collection: "c")
            _ = try registry.run(op) { _ in true }
        }
        _ = registry.start(.create_collection_snapshot, collection: "d")
        let ids = registry.list()
        #expect(ids.count == 5)  // the running one, the three newest finished, the new one
        #expect(ids.first?.id == running.id)
    }

    @Test func finishedOperationsExpire() throws {
        let registry = OperationRegistry(retention: .milliseconds(50))
        let op = registry.start(.create_collection_snapshot, collection: "c")
        _ = try registry.run(op) { _ in true }
        #expect(registry.list().count == 1)
        Thread.sleep(forTimeInterval: 0.1)
        #expect(registry.list().isEmpty)
    }
}

final class MemoryByteSink: ByteSink {
    var bytes: [UInt8] = []
    func write(_ raw: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: raw) }
    func close() throws {}
}

final class ChunkSource: ByteSource {
    var left: Int
    init(chunks: Int) { left = chunks }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard left > 0 else { return 0 }
        left -= 1
        let n = min(10, buffer.count)
        for i in 0..<n { buffer[i] = 1 }
        return n
    }
}
