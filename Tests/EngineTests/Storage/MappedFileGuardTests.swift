import Foundation
import Testing
@testable import Engine

/// A mapped file that something else truncates or rewrites in place: the mapping keeps what it
/// had (its read lease's break copies it to anonymous memory first), so reads never raise SIGBUS
/// and never see the new bytes. Without the guard the read after `truncate` would kill the test
/// process with SIGBUS.
@Suite struct MappedFileGuardTests {
    func mapped(_ dir: TempDir, bytes: Int) throws -> (MappedFile, String, [UInt8]) {
        let path = dir.path + "/matrix.dat"
        let data = (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Segment.writeFile(path, data)
        let m = try #require(try MappedFile(path: path))
        return (m, path, data)
    }

    func contents(_ m: MappedFile) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: m.base, count: m.count))
    }

    @Test func truncatedFileKeepsTheMappedBytes() throws {
        let dir = TempDir()
        let (m, path, data) = try mapped(dir, bytes: 3 * 4096 + 100)
        #expect(!m.isDetached)
        #expect(truncate(path, 0) == 0)  // waits for the guard to copy the mapping
        #expect(m.isDetached)
        #expect(contents(m) == data)
        #expect(try FileIO.size(path) == 0)
    }

    @Test func fileRewrittenInPlaceKeepsTheMappedBytes() throws {
        let dir = TempDir()
        let (m, path, data) = try mapped(dir, bytes: 10_000)
        let fd = open(path, O_WRONLY)
        #expect(fd >= 0)
        let zeros = [UInt8](repeating: 0, count: 10_000)
        #expect(pwrite(fd, zeros, zeros.count, 0) == zeros.count)
        close(fd)
        #expect(m.isDetached)
        #expect(contents(m) == data)
        // Released ranges of a detached mapping are kept (dropping them would lose them).
        _ = m.release(from: 0, upTo: 8192)
        #expect(contents(m) == data)
    }

    @Test func releasingAnUntouchedMappingRereadsTheFile() throws {
        let dir = TempDir()
        let (m, _, data) = try mapped(dir, bytes: 5 * 4096)
        #expect(m.release(from: 0, upTo: 4 * 4096) == 4 * 4096)
        #expect(!m.isDetached)
        #expect(contents(m) == data)
    }

    @Test func manyMappingsOfOneFileAreEachGuarded() throws {
        let dir = TempDir()
        let (first, path, data) = try mapped(dir, bytes: 4096)
        let others = try (0..<20).map { _ in try #require(try MappedFile(path: path)) }
        #expect(truncate(path, 10) == 0)
        for m in [first] + others {
            #expect(m.isDetached)
            #expect(contents(m) == data)
        }
    }
}
