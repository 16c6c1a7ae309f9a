/// The links files of an HNSW index (`lib/segment/src/index/hnsw_index/graph_links/`:
/// `header.rs`, `serializer.rs`, `view.rs`), read into an `HNSWGraph`'s arrays and written from
/// one. All integers little-endian.
///
/// Plain `links.bin`:
///
///     header 64 B: u64 point_count, levels_count, total_neighbors_count, total_offset_count,
///                  offsets_padding_bytes (0 or 4), 24 zero bytes
///     levels_count × u64 level offsets · point_count × u32 reindex ·
///     total_neighbors_count × u32 neighbours · padding to 8 · total_offset_count × u64 offsets
///
/// Compressed `links_compressed.bin` (what Qdrant 1.19 writes):
///
///     header 64 B: u64 point_count, u64 version 0xFFFF_FFFF_FFFF_FF01, u64 levels_count,
///                  u64 total_neighbors_bytes, offsets parameters (u64 length, u8 base_bits,
///                  u8 delta_bits, u8 chunk_len_log2), u64 m, u64 m0, 5 zero bytes
///     levels_count × u64 level offsets · point_count × u32 reindex · packed link lists
///     (`Bitpacking.packLinks`, offsets in bytes) · offsets by `Bitpacking.compressOrdered`
///
/// `links_comp_vec.bin` (version …FF02, links with quantized vectors inline) is refused.
enum HNSWGraphLinks {
    static let plainFile = "links.bin"
    static let compressedFile = "links_compressed.bin"
    static let compressedWithVectorsFile = "links_comp_vec.bin"
    static let compressedVersion: UInt64 = 0xFFFF_FFFF_FFFF_FF01
    static let headerSize = 64

    /// The neighbour lists of a graph, by slot, plus what the links files know of it.
    struct Links {
        var pointCount: Int
        var levelOffsets: [Int]
        var reindex: [UInt32]
        var offsets: [Int]
        var neighbors: [UInt32]
        /// Only the compressed header records them.
        var m: Int?
        var m0: Int?
    }

    // MARK: reading

    /// Reads a plain or compressed links file (by its header), validating every count and
    /// offset against the bytes that exist and every link against `pointCount`.
    static func read(validating b: UnsafeRawBufferPointer, file: String) throws -> Links {
        func bad(_ m: String) -> SegmentFormatError { SegmentFormatError(.corrupt, file, m) }
        guard b.count >= headerSize else { throw bad("is \(b.count) bytes, shorter than its 64-byte header") }
        let version = SegmentBytes.u64(b, 8)!
        if version == compressedVersion { return try readCompressed(b, bad) }
        if version == compressedVersion + 1 { throw SegmentFormatError(.unsupported, file, "is a graph with inline quantized vectors, which qdb does not read") }
        return try readPlain(b, bad)
    }

    private static func int(_ v: UInt64, _ what: String, max: Int, _ bad: (String) -> SegmentFormatError) throws -> Int {
        guard v <= UInt64(max) else { throw bad("declares \(what) \(v), more than its \(max) bytes can hold") }
        return Int(v)
    }

    private static func readPlain(_ b: UnsafeRawBufferPointer, _ bad: (String) -> SegmentFormatError) throws -> Links {
        let size = b.count
        let n = try int(SegmentBytes.u64(b, 0)!, "point_count", max: size / 4, bad)
        let levels = try int(SegmentBytes.u64(b, 8)!, "levels_count", max: size / 8, bad)
        let nb = try int(SegmentBytes.u64(b, 16)!, "total_neighbors_count", max: size / 4, bad)
        let no = try int(SegmentBytes.u64(b, 24)!, "total_offset_count", max: size / 8, bad)
        let pad = try int(SegmentBytes.u64(b, 32)!, "offsets_padding_bytes", max: 7, bad)
        let need = headerSize + levels * 8 + n * 4 + nb * 4 + pad + no * 8
        guard need <= size else { throw bad("needs \(need) bytes for the counts its header declares, has \(size)") }
        var pos = headerSize
        let levelOffsets = try (0..<levels).map { try int(SegmentBytes.u64(b, pos + $0 * 8)!, "level offset", max: size, bad) }
        pos += levels * 8
        let reindex = (0..<n).map { SegmentBytes.u32(b, pos + $0 * 4)! }
        pos += n * 4
        let neighbors = (0..<nb).map { SegmentBytes.u32(b, pos + $0 * 4)! }
        pos += nb * 4 + pad
        guard pos % 8 == 0 else { throw bad("has offsets at byte \(pos), not 8-aligned") }
        let offsets = (0..<no).map { SegmentBytes.u64(b, pos + $0 * 8)! }
        let links = Links(pointCount: n, levelOffsets: levelOffsets, reindex: reindex,
                          offsets: try checkedOffsets(offsets, end: nb, bad), neighbors: neighbors)
        try check(links, bad)
        return links
    }

    private static func readCompressed(_ b: UnsafeRawBufferPointer, _ bad: (String) -> SegmentFormatError) throws -> Links {
        let size = b.count
        let n = try int(SegmentBytes.u64(b, 0)!, "point_count", max: size / 4, bad)
        let levels = try int(SegmentBytes.u64(b, 16)!, "levels_count", max: size / 8, bad)
        let nbBytes = try int(SegmentBytes.u64(b, 24)!, "total_neighbors_bytes", max: size, bad)
        let length = try int(SegmentBytes.u64(b, 32)!, "offsets length", max: size * 8, bad)
        let p = Bitpacking.OrderedParameters(length: length, baseBits: Int(b[40]), deltaBits: Int(b[41]), chunkLenLog2: Int(b[42]))
        guard p.isValid else { throw bad("has invalid offset compression parameters \(p)") }
        let m = try int(SegmentBytes.u64(b, 43)!, "m", max: 1 << 16, bad)
        let m0 = try int(SegmentBytes.u64(b, 51)!, "m0", max: 1 << 16, bad)
        let need = headerSize + levels * 8 + n * 4 + nbBytes + p.compressedSize!
        guard need <= size else { throw bad("needs \(need) bytes for the counts its header declares, has \(size)") }
        var pos = headerSize
        let levelOffsets = try (0..<levels).map { try int(SegmentBytes.u64(b, pos + $0 * 8)!, "level offset", max: size, bad) }
        pos += levels * 8
        let reindex = (0..<n).map { SegmentBytes.u32(b, pos + $0 * 4)! }
        pos += n * 4
        let packedStart = pos
        pos += nbBytes
        let offsets = try checkedOffsets(Bitpacking.decompressOrdered(UnsafeRawBufferPointer(rebasing: b[pos...]), p), end: nbBytes, bad)
        var links = Links(pointCount: n, levelOffsets: levelOffsets, reindex: reindex, offsets: [0], neighbors: [], m: m, m0: m0)
        try checkLevels(links, slots: offsets.count - 1, bad)
        let bitsPerUnsorted = max(Bitpacking.minBitsPerValue, Bitpacking.packedBits(UInt64(max(n, 1) - 1)))
        links.neighbors.reserveCapacity(nbBytes)
        var level = 0
        for s in 0..<(offsets.count - 1) {
            while level + 1 < levels, s >= levelOffsets[level + 1] { level += 1 }
            let bytes = UnsafeRawBufferPointer(rebasing: b[(packedStart + offsets[s])..<(packedStart + offsets[s + 1])])
            guard Bitpacking.unpackLinks(bytes, bitsPerUnsorted: bitsPerUnsorted, sortedCount: level == 0 ? m0 : m, into: &links.neighbors) else {
                throw bad("has a link list (slot \(s)) whose bit width is over 32")
            }
            links.offsets.append(links.neighbors.count)
        }
        try check(links, bad)
        return links
    }

    private static func checkedOffsets(_ raw: [UInt64], end: Int, _ bad: (String) -> SegmentFormatError) throws -> [Int] {
        guard raw.first == 0, raw.last == UInt64(end) else { throw bad("has offsets that do not run from 0 to \(end)") }
        var out: [Int] = []
        out.reserveCapacity(raw.count)
        var prev: UInt64 = 0
        for v in raw {
            guard v >= prev, v <= UInt64(end) else { throw bad("has offsets that decrease") }
            prev = v
            out.append(Int(v))
        }
        return out
    }

    private static func checkLevels(_ l: Links, slots: Int, _ bad: (String) -> SegmentFormatError) throws {
        guard l.levelOffsets.first == 0 || (l.levelOffsets.isEmpty && l.pointCount == 0) else { throw bad("has level offsets that do not start at 0") }
        var prevCount = l.pointCount
        for (i, start) in l.levelOffsets.enumerated() {
            let end = i + 1 < l.levelOffsets.count ? l.levelOffsets[i + 1] : slots
            guard start <= end, end <= slots else { throw bad("has level offsets outside its \(slots) slots") }
            let count = end - start
            guard count <= prevCount, i > 0 || count == l.pointCount else { throw bad("has a level \(i) with \(count) points, more than below it") }
            prevCount = count
        }
    }

    private static func check(_ l: Links, _ bad: (String) -> SegmentFormatError) throws {
        try checkLevels(l, slots: l.offsets.count - 1, bad)
        let n = UInt32(truncatingIfNeeded: l.pointCount)
        guard l.reindex.allSatisfy({ $0 < n }) else { throw bad("has a reindex entry past its \(l.pointCount) points") }
        guard l.neighbors.allSatisfy({ $0 < n }) else { throw bad("links to a point past its \(l.pointCount) points") }
    }

    // MARK: writing

    /// `links_compressed.bin` for `g`.
    static func writeCompressed(_ g: HNSWGraph) -> [UInt8] {
        let bitsPerUnsorted = max(Bitpacking.minBitsPerValue, Bitpacking.packedBits(UInt64(max(g.pointCount, 1) - 1)))
        var packed: [UInt8] = []
        var offsets: [UInt64] = [0]
        var level = 0
        for s in 0..<(g.offsets.count - 1) {
            while level + 1 < g.levelCount, s >= g.levelOffsets[level + 1] { level += 1 }
            packed += Bitpacking.packLinks(Array(g.neighbors[g.offsets[s]..<g.offsets[s + 1]]), bitsPerUnsorted: bitsPerUnsorted, sortedCount: level == 0 ? g.m0 : g.m)
            offsets.append(UInt64(packed.count))
        }
        let (compressedOffsets, p) = Bitpacking.compressOrdered(offsets)
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + g.levelCount * 8 + g.pointCount * 4 + packed.count + compressedOffsets.count)
        SegmentBytes.le(UInt64(g.pointCount), into: &out)
        SegmentBytes.le(compressedVersion, into: &out)
        SegmentBytes.le(UInt64(g.levelCount), into: &out)
        SegmentBytes.le(UInt64(packed.count), into: &out)
        SegmentBytes.le(UInt64(p.length), into: &out)
        out += [UInt8(p.baseBits), UInt8(p.deltaBits), UInt8(p.chunkLenLog2)]
        SegmentBytes.le(UInt64(g.m), into: &out)
        SegmentBytes.le(UInt64(g.m0), into: &out)
        out += [0, 0, 0, 0, 0]
        for o in g.levelOffsets { SegmentBytes.le(UInt64(o), into: &out) }
        for r in g.reindex { SegmentBytes.le(r, into: &out) }
        out += packed
        out += compressedOffsets
        return out
    }

    /// `links.bin` (plain) for `g`.
    static func writePlain(_ g: HNSWGraph) -> [UInt8] {
        var out: [UInt8] = []
        let beforeOffsets = headerSize + g.levelCount * 8 + g.pointCount * 4 + g.neighbors.count * 4
        let pad = (8 - beforeOffsets % 8) % 8
        for v in [g.pointCount, g.levelCount, g.neighbors.count, g.offsets.count, pad] { SegmentBytes.le(UInt64(v), into: &out) }
        out += [UInt8](repeating: 0, count: 24)
        for o in g.levelOffsets { SegmentBytes.le(UInt64(o), into: &out) }
        for r in g.reindex { SegmentBytes.le(r, into: &out) }
        for l in g.neighbors { SegmentBytes.le(l, into: &out) }
        out += [UInt8](repeating: 0, count: pad)
        for o in g.offsets { SegmentBytes.le(UInt64(o), into: &out) }
        return out
    }
}
