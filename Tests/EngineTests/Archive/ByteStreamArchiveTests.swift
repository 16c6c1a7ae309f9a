import Foundation
import Testing
@testable import Engine

/// Byte sinks and sources (suite name matches the `ArchiveTests` filter).
@Suite struct ByteStreamArchiveTests {
    @Test func fileSinkCreatesExclusivelyAndWritesEverything() throws {
        let dir = TempDir()
        let path = dir.path + "/out"
        let sink = try FileDescriptorSink(creatingFile: path, fsyncOnClose: true)
        let bytes = pseudoRandomBytes(3_000_000)
        try sink.write(bytes)
        try sink.close()
        try sink.close()  // idempotent
        #expect(readFile(path) == bytes)
        #expect(sink.bytesWritten == bytes.count)
        // O_EXCL: an existing file is never overwritten.
        let e = archiveError { _ = try FileDescriptorSink(creatingFile: path) }
        #expect(e?.code == .io)
        #expect(readFile(path) == bytes)
        #expect(archiveError { try sink.write([1]) }?.code == .badInput)
    }

    @Test func fileSinkOnAPipeIgnoresFsyncAndLeavesBorrowedDescriptorOpen() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let sink = FileDescriptorSink(fd: fds[1], fsyncOnClose: true)
        try sink.write([1, 2, 3])
        try sink.close()  // fsync on a pipe fails with EINVAL: not an error for a stream
        #expect(fcntl(fds[1], F_GETFD) >= 0, "a borrowed descriptor stays open")
        close(fds[1])
        let source = FileDescriptorSource(fd: fds[0])
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buf.deallocate() }
        #expect(try source.read(into: buf) == 3)
        #expect(Array(buf[0..<3]) == [1, 2, 3])
        #expect(try source.read(into: buf) == 0)
    }

    @Test func fileSourceReadsAFileAndReportsMissingOnes() throws {
        let dir = TempDir()
        let bytes = pseudoRandomBytes(5000)
        writeFile(dir.path + "/f", bytes)
        let source = HashingSource(try FileDescriptorSource(path: dir.path + "/f"))
        try source.drain(bufferSize: 1000)
        #expect(source.finalizeHex() == SHA256Hasher.hexDigest(of: bytes))
        #expect(archiveError { _ = try FileDescriptorSource(path: dir.path + "/missing") }?.code == .notFound)
    }

    @Test func callbackSinkCallsCloseOnce() throws {
        var closes = 0
        let sink = CallbackSink(write: { _ in }, close: { closes += 1 })
        try sink.close()
        try sink.close()
        #expect(closes == 1)
    }
}
