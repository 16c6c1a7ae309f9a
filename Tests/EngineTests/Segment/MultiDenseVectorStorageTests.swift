import Foundation
import Testing
@testable import Engine

/// Qdrant's multi-dense vector storage (`MultiDenseVectorStorage`): round trips (absent points,
/// chunk placement), the byte layout Qdrant reads, and refusal of damaged files.
@Suite struct MultiDenseVectorStorageTests {
    let dir = TempDir()

    static let column: [[[Float]]?] = [[[1, 2, 3]], nil, [[4, 5, 6], [7, 8, 9], [0, 0, 1]], [[-1, -2, -3], [1, 1, 1]]]

    @Test func roundTripsWithAbsentPointsAndAShortColumn() throws {
        try MultiDenseVectorStorage.write(Self.column, count: 6, dim: 3, to: dir.path + "/m")
        let got = try MultiDenseVectorStorage.read(dir: dir.path + "/m", relative: "m", dim: 3, count: 6)
        #expect(got.count == 6)
        for i in 0..<4 { #expect(got[i] == Self.column[i], "\(i)") }
        #expect(got[4] == nil && got[5] == nil)
    }

    /// The layout Qdrant's `AppendableMmapMultiDenseVectorStorage` reads: {offset, count,
    /// capacity} per point; an absent point holds one zero row and its deleted flag.
    @Test func writesQdrantsLayout() throws {
        try MultiDenseVectorStorage.write(Self.column, count: 4, dim: 3, to: dir.path + "/m")
        let raw = try FileIO.readAll(dir.path + "/m/offsets/chunk_0.mmap")
        let entries = raw.withUnsafeBytes { b in (0..<4).map { i in (0..<3).map { SegmentBytes.u32(b, i * 12 + $0 * 4)! } } }
        #expect(entries == [[0, 1, 1], [1, 1, 1], [2, 3, 3], [5, 2, 2]])
        #expect(raw.count == MultiDenseVectorStorage.offsetsConfig.chunk_size_bytes)
        let (rows, floats) = try ChunkedVectors.read(dir: dir.path + "/m/vectors", dim: 3, relative: "vectors")
        #expect(rows == 7 && Array(floats[3..<6]) == [0, 0, 0])
        #expect(try DynamicStoredFlags.read(dir: dir.path + "/m/deleted", relative: "deleted", upTo: 4) == [false, true, false, false])
        let cfg = try JSONDecoder().decode(ChunkedVectors.Config.self, from: Data(try FileIO.readAll(dir.path + "/m/offsets/config.json")))
        #expect(cfg.dim == 1 && cfg.chunk_size_vectors == (32 << 20) / 12)
    }

    /// A point whose rows do not fit the rest of a chunk starts at the next chunk, as Qdrant
    /// places them (`insert_multi_native`).
    @Test func pointsNeverCrossAChunk() throws {
        let dim = 1 << 14  // 64 KiB rows: 512 per 32 MiB chunk
        let perChunk = ChunkedVectors.config(dim: dim).chunk_size_vectors
        let row = [Float](repeating: 0.5, count: dim)
        let column: [[[Float]]?] = [Array(repeating: row, count: perChunk - 1), [row, row], [row]]
        try MultiDenseVectorStorage.write(column, count: 3, dim: dim, to: dir.path + "/m")
        let offsets = try MultiDenseVectorStorage.readOffsets(dir: dir.path + "/m/offsets", relative: "offsets", count: 3)
        #expect(offsets.map(\.offset) == [0, perChunk, perChunk + 2])
        let got = try MultiDenseVectorStorage.read(dir: dir.path + "/m", relative: "m", dim: dim, count: 3)
        #expect(got.map { $0?.count } == [perChunk - 1, 2, 1])
    }

    @Test func refusesDamagedOffsets() throws {
        try MultiDenseVectorStorage.write(Self.column, count: 4, dim: 3, to: dir.path + "/m")
        let path = dir.path + "/m/offsets/chunk_0.mmap"
        let good = try FileIO.readAll(path)
        func entry(_ i: Int, _ offset: UInt32, _ count: UInt32) -> [UInt8] {
            var b = good
            withUnsafeBytes(of: offset.littleEndian) { b.replaceSubrange((i * 12)..<(i * 12 + 4), with: $0) }
            withUnsafeBytes(of: count.littleEndian) { b.replaceSubrange((i * 12 + 4)..<(i * 12 + 8), with: $0) }
            return b
        }
        // Past the rows stored, an overflowing range, an empty live multivector, overlapping
        // entries naming more rows than exist, and a file shorter than its entries.
        for bad in [entry(0, 6, 2), entry(2, UInt32.max, 2), entry(0, 0, 0), entry(3, 0, 7), Array(good.prefix(40))] {
            try Segment.writeFile(path, bad)
            #expect(throws: SegmentFormatError.self) { try MultiDenseVectorStorage.read(dir: dir.path + "/m", relative: "m", dim: 3, count: 4) }
        }
        try Segment.writeFile(path, good)
        try Segment.writeFile(dir.path + "/m/offsets/status.dat", [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        #expect(throws: SegmentFormatError.self) { try MultiDenseVectorStorage.read(dir: dir.path + "/m", relative: "m", dim: 3, count: 4) }
    }

    @Test func fuzzTargetAcceptsItsSeeds() throws {
        let seeds = FuzzCorpusTests.fixtures + "/fuzz/multi-segment"
        let files = FileIO.listDirectory(seeds)
        #expect(files.count == FuzzTargets.multiSegmentFiles.count)
        // A seed that writes a file back unchanged leaves a segment that loads.
        let json = try FileIO.readAll(seeds + "/" + files.sorted().first { $0.hasPrefix("1-") }!)
        try json.withUnsafeBytes { raw in try FuzzTargets.multiSegment(raw) }
    }

    /// float16 and uint8 multivectors: rows of 2- and 1-byte elements (Qdrant's chunk config for
    /// that element size), read back as the values stored.
    @Test func typedElementsRoundTrip() throws {
        for dt in [VectorDatatype.float16, .uint8] {
            let column: [[[Float]]?] = [[[1, 2, 3], [250, 0.5, 7]].map { $0.map(dt.convert) }, nil, [[4, 5, 6]].map { $0.map(dt.convert) }]
            let path = dir.path + "/typed-" + dt.rawValue
            try MultiDenseVectorStorage.write(column, count: 3, dim: 3, datatype: dt, to: path)
            let cfg = try JSONDecoder().decode(ChunkedVectors.Config.self, from: Data(try FileIO.readAll(path + "/vectors/config.json")))
            #expect(cfg == ChunkedVectors.config(dim: 3, elementSize: dt.elementSize))
            #expect(try MultiDenseVectorStorage.read(dir: path, relative: "m", dim: 3, datatype: dt, count: 3) == column)
            // Read as float32, the rows are the wrong size: refused, not misread.
            #expect(throws: SegmentFormatError.self) { try MultiDenseVectorStorage.read(dir: path, relative: "m", dim: 3, count: 3) }
        }
    }
}
