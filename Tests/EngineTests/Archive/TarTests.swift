import Foundation
import Testing
@testable import Engine

@Suite struct TarTests {
    /// Writes dirs, in-memory data and disk files (5 MB, empty, small), reads them back with
    /// TarReader and TarExtractor, and checks GNU tar agrees.
    @Test func roundTripThroughReaderExtractorAndGnuTar() throws {
        let tmp = TempDir()
        let src = tmp.path + "/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        let big = pseudoRandomBytes(5 * 1024 * 1024 + 77)
        let small = Array("{\"segment\":1}".utf8)
        writeFile(src + "/big.bin", big)
        writeFile(src + "/empty.bin", [])
        writeFile(src + "/small.json", small)
        chmod(src + "/small.json", 0o600)

        let longName = "0/segments/" + String(repeating: "x", count: 150) + ".dat"  // > 100 bytes: GNU long name
        let config = Array("{\"params\":{}}".utf8)
        let archivePath = tmp.path + "/a.tar"
        let hashing = HashingSink(try FileDescriptorSink(creatingFile: archivePath, fsyncOnClose: true))
        let writer = try TarWriter(sink: hashing)
        try writer.addDirectory("0")
        try writer.addDirectory("0/segments/", fromDisk: src)
        let d1 = try writer.addData("config.json", config)
        let d2 = try writer.addFile("0/segments/big.bin", fromDisk: src + "/big.bin")
        let d3 = try writer.addFile("0/empty.bin", fromDisk: src + "/empty.bin")
        let d4 = try writer.addFile("0/small.json", fromDisk: src + "/small.json")
        let d5 = try writer.addData(longName, [1, 2, 3])
        let d6 = try writer.addData("données/é.json", small)  // implied parent, non-ASCII name
        try writer.finish()
        let written = [d1, d2, d3, d4, d5, d6]
        #expect(writer.digests == written)
        #expect(d1 == FileDigest(path: "config.json", size: config.count, sha256: SHA256Hasher.hexDigest(of: config)))
        #expect(d2.sha256 == SHA256Hasher.hexDigest(of: big))
        #expect(d3.sha256 == SHA256Hasher().finalizeHex() && d3.size == 0)

        // The stream's checksum came out of the same pass, and covers the whole file.
        let archive = readFile(archivePath)!
        #expect(hashing.byteCount == archive.count)
        #expect(hashing.finalizeHex() == (try SHA256Hasher.hexDigest(ofFile: archivePath)))
        // GNU format: "ustar  \0" magic at offset 257, not POSIX "ustar\000".
        #expect(Array(archive[257..<265]) == Array("ustar  \0".utf8))
        #expect(archive.count % 512 == 0)

        // TarReader sees exactly what was written.
        let entries = try readAllEntries(try FileDescriptorSource(path: archivePath))
        #expect(entries.map(\.0.path) == [
            "0", "0/segments", "config.json", "0/segments/big.bin", "0/empty.bin", "0/small.json", longName,
            "données/é.json",
        ])
        #expect(entries.map(\.0.kind) == [.directory, .directory] + Array(repeating: .file, count: 6))
        let files = entries.filter { $0.0.kind == .file }
        #expect(files.map { FileDigest(path: $0.0.path, size: $0.0.size, sha256: SHA256Hasher.hexDigest(of: $0.1)) } == written)
        #expect(files[1].1 == big)
        #expect(files[0].0.permissions == 0o644 && files[0].0.modificationTime == 0)
        #expect(files[3].0.permissions == 0o600, "disk files keep their mode")
        #expect(files[3].0.modificationTime > 0, "disk files keep their mtime")

        // TarExtractor reproduces the files and the same digests.
        let staging = tmp.path + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
        let extracted = try TarExtractor(reader: try TarReader(source: try FileDescriptorSource(path: archivePath)), staging: staging)
            .extract(fsync: true)
        #expect(extracted == written)
        #expect(readFile(staging + "/0/segments/big.bin") == big)
        #expect(readFile(staging + "/données/é.json") == small)
        #expect(FileManager.default.fileExists(atPath: staging + "/0/empty.bin"))

        // GNU tar lists it and extracts identical bytes.
        let (listStatus, listing) = try runTool(["tar", "-tvf", archivePath])
        #expect(listStatus == 0)
        for path in ["0/", "0/segments/", "config.json", "0/segments/big.bin", "0/empty.bin", longName] {
            #expect(listing.contains(path), "tar -tvf lists \(path)")
        }
        let out = tmp.path + "/gnu"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        #expect(try runTool(["tar", "-xf", archivePath, "-C", out]).status == 0)
        for d in written {
            #expect(try SHA256Hasher.hexDigest(ofFile: out + "/" + d.path) == d.sha256, "GNU tar extracts \(d.path)")
        }
    }

    @Test func writerHandsTheSinkLargeWrites() throws {
        var sizes: [Int] = []
        var bytes: [UInt8] = []
        let writer = try TarWriter(sink: CallbackSink(write: { sizes.append($0.count); bytes.append(contentsOf: $0) }), bufferSize: 64 * 1024)
        for i in 0..<100 { try writer.addData("f\(i)", pseudoRandomBytes(700, seed: UInt64(i + 1))) }
        try writer.addData("big", pseudoRandomBytes(300_000))
        try writer.finish()
        #expect(sizes.count >= 2)
        // Small entries are gathered into full buffers; the large one goes straight through,
        // after one flush of what was buffered; then the final flush.
        #expect(sizes.filter { $0 < 64 * 1024 }.count <= 3, "few short writes: \(sizes)")
        #expect(Array(sizes.suffix(6).prefix(5)) == [65536, 65536, 65536, 65536, 300_000 - 4 * 65536],
                "a large chunk is passed through in buffer-sized slices: \(sizes)")
        #expect(sizes.count <= bytes.count / (64 * 1024) + 3)
        #expect(sizes.reduce(0, +) == bytes.count)
        #expect(try readAllEntries(BufferSource(bytes)).count == 101)
    }

    @Test func writerRefusesUnsafePathsAndUseAfterFinish() throws {
        let writer = try TarWriter(sink: CallbackSink(write: { _ in }))
        for bad in ["", "/abs", "../x", "a/../b", "a/..", ".", "./a", "a//b", "a/./b", "a\nb", "tab\there"] {
            #expect(archiveError { try writer.addData(bad, [1]) }?.code == .unsafePath, "refuses \(bad.debugDescription)")
        }
        #expect(archiveError { try writer.addDirectory("/") }?.code == .unsafePath)
        #expect(archiveError { try writer.addDirectory("../d/") }?.code == .unsafePath)
        let tmp = TempDir()
        #expect(archiveError { try writer.addFile("dir", fromDisk: tmp.path) }?.code == .badInput, "only regular files")
        #expect(archiveError { try writer.addFile("m", fromDisk: tmp.path + "/missing") }?.code == .notFound)
        try writer.addData("ok", [1])  // still usable after refused entries
        try writer.finish()
        #expect(archiveError { try writer.addData("late", [1]) }?.code == .badInput)
    }

    @Test func sinkErrorsPropagateUnchanged() throws {
        struct ClientGone: Error {}
        var total = 0
        let writer = try TarWriter(sink: CallbackSink(write: {
            total += $0.count
            if total > 2 * 1024 * 1024 { throw ClientGone() }
        }))
        let tmp = TempDir()
        writeFile(tmp.path + "/big", pseudoRandomBytes(4 * 1024 * 1024))
        #expect(throws: ClientGone.self) { try writer.addFile("big", fromDisk: tmp.path + "/big") }
        #expect(throws: ClientGone.self) { try writer.addData("next", [1]) }
    }

    @Test func unfinishedWriterLeavesSinkOpenAndWritesNoTrailer() throws {
        var bytes: [UInt8] = []
        var closed = false
        do {
            let writer = try TarWriter(sink: CallbackSink(write: { bytes.append(contentsOf: $0) }, close: { closed = true }), bufferSize: 512)
            try writer.addData("a", pseudoRandomBytes(10_000))
        }
        #expect(!closed)
        #expect(bytes.count == 512 + 10_000, "header and data, no padding or end-of-archive blocks")
        let e = archiveError { _ = try readAllEntries(BufferSource(bytes)) }
        #expect(e?.code == .corrupt, "a reader sees a truncated archive")
    }

    @Test func sourceErrorsPropagateUnchanged() throws {
        struct DiskPulled: Error {}
        final class FailingSource: ByteSource {
            func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { throw DiskPulled() }
        }
        #expect(throws: DiskPulled.self) {
            let r = try TarReader(source: FailingSource())
            _ = try r.next()
        }
    }

    @Test func readerNormalizesHarmlessSpellings() throws {
        let tar = makeRawTar([
            RawTarEntry(path: "./", kind: .directory),
            RawTarEntry(path: "./a/", kind: .directory),
            RawTarEntry(path: "./a//b.txt", data: [7]),
            RawTarEntry(path: "a/./c.txt", data: [8]),
        ])
        let entries = try readAllEntries(BufferSource(tar))
        #expect(entries.map(\.0.path) == ["a", "a/b.txt", "a/c.txt"])
        #expect(entries.map(\.1) == [[], [7], [8]])
    }

    /// Gnu tar writes a sparse file as type `S`; the reader expands its holes to zeros.
    @Test func gnuSparseFilesAreReadAsRegularFiles() throws {
        let tmp = TempDir()
        let path = tmp.path + "/sparse"
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0)
        #expect(pwrite(fd, "head", 4, 0) == 4)
        #expect(pwrite(fd, "middle", 6, 3 * 1024 * 1024) == 6)
        #expect(ftruncate(fd, 8 * 1024 * 1024) == 0)
        close(fd)
        #expect(try runTool(["tar", "--sparse", "--format=gnu", "-cf", tmp.path + "/s.tar", "-C", tmp.path, "sparse"]).status == 0)
        let tarBytes = readFile(tmp.path + "/s.tar")!
        #expect(tarBytes[156] == UInt8(ascii: "S"), "GNU tar wrote a sparse entry")
        #expect(tarBytes.count < 1024 * 1024)

        let entries = try readAllEntries(BufferSource(tarBytes))
        #expect(entries.count == 1)
        #expect(entries[0].0.kind == .file && entries[0].0.size == 8 * 1024 * 1024)
        #expect(SHA256Hasher.hexDigest(of: entries[0].1) == (try SHA256Hasher.hexDigest(ofFile: path)))

        let staging = tmp.path + "/staging"
        mkdir(staging, 0o755)
        let digests = try TarExtractor(reader: try TarReader(source: BufferSource(tarBytes)), staging: staging).extract()
        #expect(digests == [FileDigest(path: "sparse", size: 8 * 1024 * 1024, sha256: try SHA256Hasher.hexDigest(ofFile: path))])
    }

    @Test func extractorRequiresAnEmptyRealDirectory() throws {
        let tmp = TempDir()
        let tar = makeRawTar([RawTarEntry(path: "f", data: [1])])
        let staging = tmp.path + "/staging"
        mkdir(staging, 0o755)
        writeFile(staging + "/old", [0])
        #expect(archiveError {
            _ = try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: staging).extract()
        }?.code == .badInput)
        // A staging path that is a symlink (even to an empty directory) is refused.
        let empty = tmp.path + "/empty"
        mkdir(empty, 0o755)
        symlink(empty, tmp.path + "/link")
        #expect(archiveError {
            _ = try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: tmp.path + "/link").extract()
        }?.code == .badInput)
        #expect(readFile(staging + "/f") == nil)
        #expect(readFile(empty + "/f") == nil)
        // The same archive extracts into a real, empty directory.
        #expect(try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: empty).extract().map(\.path) == ["f"])
    }
}

extension TarTests {
    /// Archives made by GNU tar in every format it writes read back path for path and byte for
    /// byte, including `tar -C dir .` archives whose first entry is `./`.
    @Test(arguments: ["gnu", "oldgnu", "ustar", "pax"])
    func readsArchivesMadeByGnuTar(format: String) throws {
        let tmp = TempDir()
        let src = tmp.path + "/src"
        let deep = String(repeating: "d", count: 70) + "/" + String(repeating: "e", count: 70)
        try FileManager.default.createDirectory(atPath: src + "/" + deep, withIntermediateDirectories: true)
        let files: [String: [UInt8]] = [
            "é.json": Array("{\"naïve\":true}".utf8),
            deep + "/" + String(repeating: "f", count: 90): pseudoRandomBytes(1_500_000),
            "empty": [],
        ]
        for (path, bytes) in files { writeFile(src + "/" + path, bytes) }
        let archivePath = tmp.path + "/a.tar"
        #expect(try runTool(["tar", "--format=\(format)", "-cf", archivePath, "-C", src, "."]).status == 0)

        let entries = try readAllEntries(try FileDescriptorSource(path: archivePath))
        let read = Dictionary(uniqueKeysWithValues: entries.filter { $0.0.kind == .file }.map { ($0.0.path, $0.1) })
        #expect(read == files)
        #expect(Set(entries.filter { $0.0.kind == .directory }.map(\.0.path)) == [
            String(repeating: "d", count: 70), deep,
        ])
        #expect(!entries.contains { $0.0.path.hasPrefix(".") }, "the `./` root entry is skipped, `./` prefixes stripped")

        let staging = tmp.path + "/staging"
        mkdir(staging, 0o755)
        let digests = try TarExtractor(reader: try TarReader(source: try FileDescriptorSource(path: archivePath)), staging: staging)
            .extract()
        #expect(Set(digests) == Set(files.map { FileDigest(path: $0.key, size: $0.value.count, sha256: SHA256Hasher.hexDigest(of: $0.value)) }))
    }
}
