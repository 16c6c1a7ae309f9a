import Foundation
import Testing
@testable import Engine
#if canImport(Glibc)
import Glibc
#endif

/// The per-entry bound on the holes of a sparse tar entry (`HoleBound`): one of Qdrant's 32 MiB
/// preallocation units, or as much as the entry's data, or a WAL segment's capacity; beyond it
/// the entry is refused before anything is written, on restore and on `qdb verify` alike.
@Suite struct HoleBoundTests {
    let tars = SparseEntryTests()

    func extract(_ tar: [UInt8], limits: ExtractLimits = ExtractLimits()) throws -> (String, [FileDigest]) {
        let dir = tars.staging()
        do {
            return (dir, try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: dir).extract(limits: limits))
        } catch {
            FileIO.removeTree(dir)
            throw error
        }
    }

    func expectRefused(_ tar: [UInt8], path: String, limits: ExtractLimits = ExtractLimits()) {
        do {
            let (dir, _) = try extract(tar, limits: limits)
            FileIO.removeTree(dir)
            Issue.record("\(path) was extracted")
        } catch let e as ArchiveError {
            #expect(e.code == .tooLarge)
            #expect(e.path == path)
            #expect(e.message.contains("preallocated"), "\(e.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aPreallocatedPageIsAcceptedAndOneByteMoreIsNot() throws {
        let page = "segments/s/files/payload_storage/page_0.dat"
        // Qdrant's gridstore page: 32 MiB, one 4 KiB block written.
        let (dir, digests) = try extract(tars.sparseTar(size: 32 << 20, regions: [(0, 4096)], path: page))
        defer { FileIO.removeTree(dir) }
        #expect(digests.first?.size == 32 << 20)
        // 32 MiB of holes beside 4 KiB of data is one hole byte too many; even an aggregate
        // allowance that would admit it does not.
        let over = tars.sparseTar(size: (32 << 20) + 4097, regions: [(0, 4096)], path: page)
        expectRefused(over, path: page, limits: ExtractLimits(expansionAllowance: 1 << 30))
    }

    @Test func holesMayMatchTheDataBesideThem() throws {
        // With a 1 MiB unit (small, so the test stays fast): a 4 MiB table with 2 MiB written
        // may leave 2 MiB unwritten, one with 1 MiB written may not leave 3 MiB.
        let limits = ExtractLimits(holes: HoleBound(unit: 1 << 20))
        let (dir, _) = try extract(tars.sparseTar(size: 4 << 20, regions: [(0, 2 << 20)], path: "t/tracker.dat"), limits: limits)
        FileIO.removeTree(dir)
        expectRefused(tars.sparseTar(size: 4 << 20, regions: [(0, 1 << 20)], path: "t/tracker.dat"), path: "t/tracker.dat", limits: limits)
    }

    @Test func aWALSegmentMayBeItsConfiguredCapacity() throws {
        // A WAL of `wal_capacity_mb: 64`: the segment file is 64 MiB, its header written.
        let wal = "0/wal/closed-42"
        let (dir, digests) = try extract(tars.sparseTar(size: 64 << 20, regions: [(0, 512)], path: wal))
        FileIO.removeTree(dir)
        #expect(digests.first?.size == 64 << 20)
        // The same holes under another name are more than any other file needs.
        expectRefused(tars.sparseTar(size: 64 << 20, regions: [(0, 512)], path: "0/wal/segment-42"), path: "0/wal/segment-42")
        expectRefused(tars.sparseTar(size: 64 << 20, regions: [(0, 512)], path: "0/vector_storage/matrix.dat"), path: "0/vector_storage/matrix.dat")
    }

    @Test func walSegmentNames() {
        #expect(HoleBound.isWALSegment("wal/open-1"))
        #expect(HoleBound.isWALSegment("0/wal/closed-123"))
        #expect(!HoleBound.isWALSegment("wal/closed-"))
        #expect(!HoleBound.isWALSegment("wal/closed-12a"))
        #expect(!HoleBound.isWALSegment("wal/first-index"))
        #expect(!HoleBound.isWALSegment("open-1"))
        #expect(!HoleBound.isWALSegment("segments/x/files/wal2/open-1"))
    }

    /// The fuzz seeds that cover the bound (scripts/gen-fuzz-seeds): qdb's sparse-only shard
    /// snapshot and a 40 MiB WAL segment are extracted by the `tar-extract` target, the entry one
    /// hole byte past the unit is refused.
    @Test func theFuzzSeedsOnEitherSideOfTheBound() throws {
        let dir = FuzzCorpusTests.fixtures + "/fuzz/tar-extract/"
        for ok in ["qdb-sparse-shard.tar", "sparse-wal-segment.tar"] {
            try FileIO.readAll(dir + ok).withUnsafeBytes { try FuzzTargets.all["tar-extract"]!($0) }
        }
        let over = try FileIO.readAll(dir + "sparse-over-unit.tar")
        do {
            try over.withUnsafeBytes { try FuzzTargets.all["tar-extract"]!($0) }
            Issue.record("sparse-over-unit.tar was extracted")
        } catch let e as ArchiveError {
            #expect(e.code == .tooLarge && e.path == "segments/s/files/payload_storage/page_0.dat")
        }
    }

    @Test func verifyRefusesASparseBombBeforeHashingIt() throws {
        // 1 TiB of holes behind one 512-byte region: `qdb verify` would hash zeros for ~15 minutes.
        let bomb = tars.sparseTar(size: 1 << 40, regions: [(0, 512)], path: "segments/s/files/vector_storage/vectors/chunk_0.mmap")
        var report = VerifyReport(source: "bomb", ok: false)
        let started = ContinuousClock.now
        #expect(throws: ArchiveError.self) { _ = try SnapshotVerifier.streamCheck(BufferSource(bomb), report: &report) }
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
