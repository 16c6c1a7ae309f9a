import Foundation
import Testing
@testable import Engine
#if canImport(Glibc)
import Glibc
#endif

/// `TarWriter` writes files with holes (Qdrant's preallocated chunks and pages) as GNU sparse
/// entries: the archive stores only their data, GNU tar and `TarReader` read them back to the
/// same content, extraction leaves the holes as holes, and the digest is the logical content's.
@Suite struct SparseTarWriterTests {
    /// A file of `size` bytes made with `ftruncate` (holes), with pseudo-random data at `regions`.
    func holedFile(_ path: String, size: Int, data regions: [(offset: Int, count: Int)]) -> [UInt8] {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        defer { close(fd) }
        precondition(ftruncate(fd, off_t(size)) == 0)
        var content = [UInt8](repeating: 0, count: size)
        for (i, r) in regions.enumerated() {
            let bytes = pseudoRandomBytes(r.count, seed: UInt64(i + 7))
            precondition(pwrite(fd, bytes, bytes.count, off_t(r.offset)) == bytes.count)
            content.replaceSubrange(r.offset..<(r.offset + r.count), with: bytes)
        }
        return content
    }

    func archive(_ files: [(entry: String, disk: String)], known: (size: Int, sha256: String)? = nil) throws -> (tar: [UInt8], digests: [FileDigest]) {
        var out: [UInt8] = []
        let writer = try TarWriter(sink: CallbackSink(write: { out.append(contentsOf: $0) }))
        for f in files { try writer.addFile(f.entry, fromDisk: f.disk, known: known) }
        try writer.finish()
        return (out, writer.digests)
    }

    func blocks(_ path: String) -> Int {
        var st = stat()
        precondition(stat(path, &st) == 0)
        return Int(st.st_blocks)
    }

    @Test func aPreallocatedFileTravelsAsItsDataAndComesBackWithItsHoles() throws {
        let tmp = TempDir()
        let size = 32 << 20
        let content = holedFile(tmp.path + "/chunk_0.mmap", size: size, data: [(0, 1000), (20 << 20, 5000)])
        #expect(blocks(tmp.path + "/chunk_0.mmap") * 512 < 1 << 20, "ftruncate leaves holes on this file system")
        // Over 100 characters: libarchive's long-name entry precedes the sparse header.
        let name = "0/segments/" + String(repeating: "d", count: 80) + "/vector_storage-sparse/vectors/chunk_0.mmap"
        let (tar, digests) = try archive([(name, tmp.path + "/chunk_0.mmap")])
        #expect(tar.count < 32 << 10, "the holes were stored: \(tar.count) bytes")
        #expect(digests == [FileDigest(path: name, size: size, sha256: SHA256Hasher.hexDigest(of: content))])

        // GNU tar lists the logical size and extracts the same bytes.
        try Data(tar).write(to: URL(fileURLWithPath: tmp.path + "/s.tar"))
        let (status, listing) = try runTool(["tar", "-tvf", tmp.path + "/s.tar"])
        #expect(status == 0)
        #expect(listing.contains(" \(size) ") && listing.contains(name), "tar -tvf: \(listing)")
        let gnu = tmp.path + "/gnu"
        mkdir(gnu, 0o755)
        #expect(try runTool(["tar", "-xf", tmp.path + "/s.tar", "-C", gnu]).status == 0)
        #expect(readFile(gnu + "/" + name) == content)

        // TarReader sees the content; TarExtractor writes only the data.
        let entries = try readAllEntries(BufferSource(tar))
        #expect(entries.map(\.0.path) == [name] && entries[0].0.size == size && entries[0].1 == content)
        #expect(entries[0].0.dataSize < 64 << 10)
        let staging = tmp.path + "/staging"
        mkdir(staging, 0o755)
        let extracted = try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: staging).extract()
        #expect(extracted == digests)
        #expect(blocks(staging + "/" + name) * 512 < 1 << 20, "extraction filled the holes")
    }

    @Test func manyRegionsUseExtensionBlocksAndGNUTarAgrees() throws {
        let tmp = TempDir()
        let size = 8 << 20
        // 60 regions: 4 in the header, 56 in three extension blocks; odd lengths are rounded out.
        let regions = (0..<60).map { (offset: $0 * (128 << 10) + 100, count: 700 + $0) }
        let content = holedFile(tmp.path + "/page_0.dat", size: size, data: regions)
        let (tar, digests) = try archive([("page_0.dat", tmp.path + "/page_0.dat")])
        #expect(tar[156] == UInt8(ascii: "S") && tar[482] == 1, "a sparse header with extensions")
        #expect(tar.count < 256 << 10)
        #expect(digests.first?.sha256 == SHA256Hasher.hexDigest(of: content))
        #expect(try readAllEntries(BufferSource(tar)).first?.1 == content)
        try Data(tar).write(to: URL(fileURLWithPath: tmp.path + "/s.tar"))
        let gnu = tmp.path + "/gnu"
        mkdir(gnu, 0o755)
        #expect(try runTool(["tar", "-xf", tmp.path + "/s.tar", "-C", gnu]).status == 0)
        #expect(readFile(gnu + "/page_0.dat") == content)
    }

    @Test func fileShapesAtTheEdges() throws {
        let tmp = TempDir()
        // Only a hole; data up to the end; no hole at all (a plain entry).
        let empty = holedFile(tmp.path + "/tracker.dat", size: 1 << 20, data: [])
        let tail = holedFile(tmp.path + "/tail.dat", size: 4 << 20, data: [((4 << 20) - 3000, 3000)])
        let dense = pseudoRandomBytes(100_000)
        writeFile(tmp.path + "/dense.bin", dense)
        let (tar, digests) = try archive([
            ("tracker.dat", tmp.path + "/tracker.dat"), ("tail.dat", tmp.path + "/tail.dat"), ("dense.bin", tmp.path + "/dense.bin"),
        ])
        #expect(tar.count < 120 << 10)
        let entries = try readAllEntries(BufferSource(tar))
        #expect(entries.map(\.1) == [empty, tail, dense])
        // The file system reports data in its own blocks (4 KiB here), never less than was written.
        #expect(entries[0].0.dataSize == 0 && (3072...4096).contains(entries[1].0.dataSize) && entries[2].0.dataSize == 100_000)
        #expect(digests.map(\.sha256) == [empty, tail, dense].map { SHA256Hasher.hexDigest(of: $0) })
        try Data(tar).write(to: URL(fileURLWithPath: tmp.path + "/s.tar"))
        let gnu = tmp.path + "/gnu"
        mkdir(gnu, 0o755)
        #expect(try runTool(["tar", "-xf", tmp.path + "/s.tar", "-C", gnu]).status == 0)
        #expect([readFile(gnu + "/tracker.dat"), readFile(gnu + "/tail.dat"), readFile(gnu + "/dense.bin")] == [empty, tail, dense])
    }

    @Test func aKnownDigestIsRecordedWithoutRehashing() throws {
        let tmp = TempDir()
        let content = holedFile(tmp.path + "/m", size: 2 << 20, data: [(4096, 10)])
        let recorded = SHA256Hasher.hexDigest(of: content)
        let (_, digests) = try archive([("m", tmp.path + "/m")], known: (size: 2 << 20, sha256: recorded))
        #expect(digests.first?.sha256 == recorded)
    }

    @Test func regionsAreRoundedToBlocksAndMerged() {
        let map = SparseMap(rounding: [0..<10, 600..<700, 1000..<1030, 5000..<5001], size: 6000)
        #expect(map.regions == [0..<1536, 4608..<5120, 6000..<6000], "touching blocks merge")
        #expect(map.storedBytes == 2048)
        #expect(SparseMap(rounding: [5000..<6000], size: 6000).regions == [4608..<6000])
        var field = [UInt8](repeating: 0, count: 12)
        SparseMap.putNumber(1 << 40, into: &field, at: 0)
        #expect(field[0] == 0x80 && field[6] == 1 && field[7...].allSatisfy { $0 == 0 }, "base-256 past 8 GiB")
    }
}
