import CArchive
import Foundation
import Testing
@testable import Engine
#if canImport(Glibc)
import Glibc
#endif

/// GNU sparse entries (written here by libarchive's pax writer, GNU.sparse 1.0): holes stay holes
/// on disk, the digest covers the zeros, and a small archive declaring a huge file is refused
/// before anything is written.
@Suite struct SparseEntryTests {
    func sparseTar(size: Int64, regions: [(Int64, Int)], path: String = "holes.bin") -> [UInt8] {
        let a = archive_write_new()!
        defer { archive_write_free(a) }
        archive_write_set_format_pax_restricted(a)
        archive_write_set_bytes_in_last_block(a, 1)
        final class Out { var bytes: [UInt8] = [] }
        let out = Unmanaged.passRetained(Out())
        defer { out.release() }
        _ = archive_write_open(a, out.toOpaque(), nil, { _, client, data, len in
            Unmanaged<Out>.fromOpaque(client!).takeUnretainedValue().bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: len))
            return len
        }, nil)
        let e = archive_entry_new()!
        defer { archive_entry_free(e) }
        archive_entry_copy_pathname(e, path)
        archive_entry_set_filetype(e, UInt32(QDB_AE_IFREG))
        archive_entry_set_perm(e, 0o644)
        archive_entry_set_size(e, size)
        for (off, len) in regions { archive_entry_sparse_add_entry(e, off, Int64(len)) }
        #expect(archive_write_header(a, e) == ARCHIVE_OK)
        // The pax writer takes the regions' data back to back (the map says where it goes).
        let data = [UInt8](repeating: 0x5a, count: regions.reduce(0) { $0 + $1.1 })
        _ = data.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
        #expect(archive_write_close(a) == ARCHIVE_OK)
        return out.takeUnretainedValue().bytes
    }

    func staging() -> String {
        let dir = NSTemporaryDirectory() + "/qdb-sparse-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func holesAreNotWritten() throws {
        let size: Int64 = 32 << 20  // a gridstore page's or a vector chunk's preallocated size
        let tar = sparseTar(size: size, regions: [(0, 4096), (size - 4096, 4096)])
        #expect(tar.count < 64 << 10)
        let dir = staging()
        defer { FileIO.removeTree(dir) }
        let digests = try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: dir).extract()
        var st = stat()
        #expect(stat(dir + "/holes.bin", &st) == 0)
        #expect(Int64(st.st_size) == size)
        #expect(Int(st.st_blocks) * 512 < 1 << 20, "holes were materialised: \(st.st_blocks) blocks")
        // The digest is of the whole content, zeros included (what GNU tar -xS also extracts).
        #expect(digests.first?.sha256 == (try SHA256Hasher.digest(ofFile: dir + "/holes.bin").sha256))
        let head = try FileIO.readAll(dir + "/holes.bin").prefix(4097)
        #expect(head.prefix(4096).allSatisfy { $0 == 0x5a } && head.last == 0)
        #expect(digests.first?.size == Int(size))
    }

    @Test func aSmallArchiveDeclaringGigabytesIsRefusedUpFront() throws {
        let tar = sparseTar(size: 4 << 30, regions: [((4 << 30) - 512, 512)])
        let dir = staging()
        defer { FileIO.removeTree(dir) }
        do {
            _ = try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: dir).extract()
            Issue.record("a 4 GiB sparse bomb was extracted")
        } catch let e as ArchiveError {
            #expect(e.code == .tooLarge)
            #expect(e.path == "holes.bin")
        }
        #expect(FileIO.listDirectory(dir).allSatisfy { name in
            var st = stat()
            return stat(dir + "/" + name, &st) == 0 && st.st_blocks < 64
        })
    }

    @Test func aLargerAllowanceAdmitsIt() throws {
        let tar = sparseTar(size: 1 << 30, regions: [(0, 512)])
        let dir = staging()
        defer { FileIO.removeTree(dir) }
        let limits = ExtractLimits(expansionAllowance: 2 << 30, holes: HoleBound(unit: 2 << 30))
        let digests = try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: dir).extract(limits: limits)
        #expect(digests.first?.size == 1 << 30)
    }
}
