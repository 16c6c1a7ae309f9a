import Foundation

/// Qdrant 1.19's persisted sparse index (`index_type` `ImmutableRam` or `Mmap`: one on-disk
/// format, `lib/sparse/src/index/inverted_index/inverted_index_compressed_mmap.rs`,
/// `compressed_posting_list.rs`, and `lib/segment/src/index/sparse_index/`), float32 weights, in
/// `vector_index-<name>/`:
///
///     version.info                "0.2.0" (written last; missing or another version: Qdrant
///                                 rebuilds the index from the storage, and so does qdb)
///     sparse_index_config.json    the `index` object of `segment.json`'s sparse vector
///     indices_tracker.json        {"map": {"<dimension id>": <posting offset>, …}}
///     inverted_index_config.json  {"posting_count", "vector_count", "total_sparse_size"}
///     inverted_index.dat          posting_count headers of 24 bytes (u64 ids_start, u32 last_id
///                                 = last point + 1 or 0, u32 ids_len, u32 chunks_count, 4 zero
///                                 bytes), then each posting list's data from its ids_start up
///                                 to the next one's (the last: to the end of the file):
///                                 ids_len bytes of ids packed by `BitPacker4x`, chunks_count
///                                 chunks of 520 bytes (u32 initial id, u32 offset of its packed
///                                 ids, 128 × f32 weights), then remainders of 8 bytes
///                                 (u32 id, f32 weight) for the last < 128 postings.
///
/// A chunk's packed ids run from its offset to the next chunk's (the last: to ids_len), 16 bytes
/// per bit of delta width, and unpack after `initial - 1`. `total_sparse_size` is the bytes of
/// posting data (the file without its headers). Postings list the points that had the vector
/// when the index was built (deleted ones left out; later deletions stay in until a rewrite).
enum InvertedIndexFiles {
    static let version = "0.2.0"
    static let versionFile = "version.info"
    static let configFile = "sparse_index_config.json"
    static let trackerFile = "indices_tracker.json"
    static let headerFile = "inverted_index_config.json"
    static let dataFile = "inverted_index.dat"
    /// Every file, in the order `write` creates them (`version.info` last).
    static let files = [configFile, trackerFile, headerFile, dataFile, versionFile]

    static let postingHeaderSize = 24
    static let chunkSize = 8 + 4 * BitPacker4x.blockLen
    static let remainderSize = 8

    struct FileHeader: Codable {
        var posting_count: Int
        var vector_count: Int
        var total_sparse_size: Int?
    }

    struct Tracker: Codable {
        var map: [String: UInt32]
    }

    // MARK: writing

    /// Writes `index` (posting offsets = ranks of the dimension ids) into `dir` (created), with
    /// `config` as `sparse_index_config.json`; each file fsynced.
    static func write(_ index: InvertedIndex, config: JSONValue, to dir: String) throws {
        try FileIO.makeDirectories(dir)
        let dims = index.postings.keys.sorted()
        var body: [UInt8] = []
        var headers = ByteWriter(capacity: dims.count * postingHeaderSize)
        let headerBytes = dims.count * postingHeaderSize
        for d in dims {
            let p = index.postings[d]!
            let start = body.count
            let (idsLen, chunks) = encode(p, into: &body)
            headers.u64(UInt64(headerBytes + start))
            headers.u32(p.offsets.last.map { UInt32($0) + 1 } ?? 0)
            headers.u32(UInt32(idsLen))
            headers.u32(UInt32(chunks))
            headers.u32(0)
        }
        try SegmentFiles.write(dir + "/" + configFile, try [UInt8].json(config))
        let map = dims.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",")
        try SegmentFiles.write(dir + "/" + trackerFile, Array("{\"map\":{\(map)}}".utf8))
        let header = FileHeader(posting_count: dims.count, vector_count: index.vectorCount, total_sparse_size: body.count)
        try SegmentFiles.write(dir + "/" + headerFile, try [UInt8].json(header))
        try SegmentFiles.write(dir + "/" + dataFile, headers.bytes + body)
        try SegmentFiles.write(dir + "/" + versionFile, Array(version.utf8))
    }

    /// Appends one posting list's data; returns its `ids_len` and chunk count.
    static func encode(_ p: InvertedIndex.Posting, into out: inout [UInt8]) -> (Int, Int) {
        let ids = p.offsets.map { UInt32($0) }
        let chunks = ids.count / BitPacker4x.blockLen
        var offsets: [Int] = []
        let idsStart = out.count
        for c in 0..<chunks {
            let block = ids[(c * BitPacker4x.blockLen)..<((c + 1) * BitPacker4x.blockLen)]
            let initial = block.first!
            let prev = initial == 0 ? nil : initial - 1
            offsets.append(out.count - idsStart)
            BitPacker4x.pack(block, initial: prev, bits: BitPacker4x.bits(block, initial: prev), into: &out)
        }
        let idsLen = out.count - idsStart
        var w = ByteWriter(capacity: chunks * chunkSize + (ids.count - chunks * BitPacker4x.blockLen) * remainderSize)
        for c in 0..<chunks {
            w.u32(ids[c * BitPacker4x.blockLen])
            w.u32(UInt32(offsets[c]))
            for k in (c * BitPacker4x.blockLen)..<((c + 1) * BitPacker4x.blockLen) { w.u32(p.weights[k].bitPattern) }
        }
        for k in (chunks * BitPacker4x.blockLen)..<ids.count {
            w.u32(ids[k])
            w.u32(p.weights[k].bitPattern)
        }
        out.append(contentsOf: w.bytes)
        return (idsLen, chunks)
    }

    // MARK: reading

    /// Reads the index in `dir` (`relative` in errors) for a segment of `pointCount` points; nil
    /// when `version.info` is missing or another version (the index is to be rebuilt).
    /// - Throws: `SegmentFormatError` naming the file, for anything that does not hold up.
    static func read(dir: String, relative: String, pointCount: Int) throws -> [UInt32: InvertedIndex.Posting]? {
        guard let v = try? SegmentFiles.readSmall(dir + "/" + versionFile, relative + "/" + versionFile, limit: 64),
              String(decoding: v, as: UTF8.self) == version else { return nil }
        let config = try SegmentFiles.readSmall(dir + "/" + configFile, relative + "/" + configFile)
        guard case .object? = try? JSONDecoder().decode(JSONValue.self, from: Data(config)) else {
            throw SegmentFormatError(.corrupt, relative + "/" + configFile, "is not a JSON object")
        }
        let header = try SegmentFiles.readSmall(dir + "/" + headerFile, relative + "/" + headerFile)
        let tracker = try SegmentFiles.readSmall(dir + "/" + trackerFile, relative + "/" + trackerFile, limit: 1 << 30)
        let data = try SegmentFiles.map(dir + "/" + dataFile, relative + "/" + dataFile)
        return try data.withBytes { try parse(data: $0, header: header, tracker: tracker, pointCount: pointCount, relative: relative) }
    }

    /// The posting lists by dimension id that the three files' bytes hold, every count and offset
    /// checked against the bytes present before it is used, every id against `pointCount`.
    static func parse(
        data b: UnsafeRawBufferPointer, header: [UInt8], tracker: [UInt8], pointCount: Int, relative: String
    ) throws -> [UInt32: InvertedIndex.Posting] {
        let dataName = relative + "/" + dataFile
        guard let h = try? JSONDecoder().decode(FileHeader.self, from: Data(header)) else {
            throw SegmentFormatError(.corrupt, relative + "/" + headerFile, "is not an inverted index header")
        }
        let n: Int
        do {
            n = try Bounds.count(h.posting_count, minimumRecordSize: postingHeaderSize, available: b.count, what: "posting_count")
        } catch let e as BoundsError {
            throw SegmentFormatError(.corrupt, dataName, "\(e) (\(headerFile))")
        }
        let dims = try trackedDimensions(tracker, postings: n, name: relative + "/" + trackerFile)
        var out: [UInt32: InvertedIndex.Posting] = [:]
        let headerEnd = n * postingHeaderSize
        func fail(_ i: Int, _ why: String) -> SegmentFormatError { SegmentFormatError(.corrupt, dataName, "posting list \(i) \(why)") }
        for i in 0..<n {
            let start = Int(exactly: SegmentBytes.u64(b, i * postingHeaderSize)!) ?? .max
            let end = i + 1 < n ? Int(exactly: SegmentBytes.u64(b, (i + 1) * postingHeaderSize)!) ?? .max : b.count
            guard start >= headerEnd, start <= end, end <= b.count else {
                throw fail(i, "lies at bytes \(start)..<\(end), outside \(headerEnd)..<\(b.count)")
            }
            let lastID = Int(SegmentBytes.u32(b, i * postingHeaderSize + 8)!)
            let idsLen = Int(SegmentBytes.u32(b, i * postingHeaderSize + 12)!)
            let chunks = Int(SegmentBytes.u32(b, i * postingHeaderSize + 16)!)
            let chunkBytes = chunks * chunkSize
            guard idsLen + chunkBytes <= end - start, (end - start - idsLen - chunkBytes) % remainderSize == 0 else {
                throw fail(i, "declares \(idsLen) id bytes and \(chunks) chunks in \(end - start) bytes")
            }
            guard let dim = dims[i] else { continue }
            let data = UnsafeRawBufferPointer(rebasing: b[start..<end])
            let p = try decode(data, idsLen: idsLen, chunks: chunks, pointCount: pointCount) { fail(i, $0) }
            guard lastID == (p.offsets.last.map { Int($0) + 1 } ?? 0) else { throw fail(i, "declares last id \(lastID) - 1, its postings end elsewhere") }
            if !p.offsets.isEmpty { out[dim] = p }
        }
        return out
    }

    /// The dimension id of each posting offset `indices_tracker.json` maps (nil: none).
    private static func trackedDimensions(_ bytes: [UInt8], postings n: Int, name: String) throws -> [UInt32?] {
        guard let t = try? JSONDecoder().decode(Tracker.self, from: Data(bytes)) else {
            throw SegmentFormatError(.corrupt, name, "is not an indices tracker")
        }
        var dims = [UInt32?](repeating: nil, count: n)
        for (key, off) in t.map {
            guard let dim = UInt32(key) else { throw SegmentFormatError(.corrupt, name, "maps \"\(key)\", which is not a dimension id") }
            guard Int(off) < n, dims[Int(off)] == nil else {
                throw SegmentFormatError(.corrupt, name, "maps dimension \(dim) to posting \(off), outside the \(n) postings or taken")
            }
            dims[Int(off)] = dim
        }
        return dims
    }

    /// One posting list from its data bytes (already checked to hold `idsLen`, the chunks and
    /// whole remainders): ids strictly increasing and below `pointCount`.
    private static func decode(
        _ d: UnsafeRawBufferPointer, idsLen: Int, chunks: Int, pointCount: Int, fail: (String) -> SegmentFormatError
    ) throws -> InvertedIndex.Posting {
        var p = InvertedIndex.Posting()
        let remainders = (d.count - idsLen - chunks * chunkSize) / remainderSize
        p.offsets.reserveCapacity(chunks * BitPacker4x.blockLen + remainders)
        p.weights.reserveCapacity(p.offsets.capacity)
        var block = [UInt32](repeating: 0, count: BitPacker4x.blockLen)
        var prev: Int64 = -1
        func take(_ id: UInt32, _ weight: UInt32) throws {
            guard Int64(id) > prev, Int(id) < pointCount else { throw fail("has point \(id) after \(prev), or past the segment's \(pointCount) points") }
            prev = Int64(id)
            p.offsets.append(Int32(id))
            p.weights.append(Float(bitPattern: weight))
        }
        for c in 0..<chunks {
            let base = idsLen + c * chunkSize
            let initial = SegmentBytes.u32(d, base)!
            let offset = Int(SegmentBytes.u32(d, base + 4)!)
            let next = c + 1 < chunks ? Int(SegmentBytes.u32(d, base + chunkSize + 4)!) : idsLen
            guard offset <= next, next <= idsLen, (next - offset) % 16 == 0, (next - offset) / 16 <= 32 else {
                throw fail("has chunk \(c) packed at bytes \(offset)..<\(next) of \(idsLen), not a block of 0…32 bits")
            }
            BitPacker4x.unpack(UnsafeRawBufferPointer(rebasing: d[offset..<next]), initial: initial == 0 ? nil : initial - 1,
                               bits: (next - offset) / 16, into: &block)
            guard block[0] == initial else { throw fail("has chunk \(c) starting at \(block[0]), not at its initial id \(initial)") }
            for k in 0..<BitPacker4x.blockLen { try take(block[k], SegmentBytes.u32(d, base + 8 + 4 * k)!) }
        }
        let remStart = idsLen + chunks * chunkSize
        for r in 0..<remainders {
            try take(SegmentBytes.u32(d, remStart + r * remainderSize)!, SegmentBytes.u32(d, remStart + r * remainderSize + 4)!)
        }
        return p
    }
}
