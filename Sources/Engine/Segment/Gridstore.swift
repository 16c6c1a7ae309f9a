import CLZ4
import Foundation

/// Qdrant's gridstore blob storage (`lib/blobstore/src/blobstore/gridstore/`, `tracker/`,
/// `config.rs`), which holds a segment's payloads in `payload_storage/`:
///
///     config.json  {"mode"?: "mutable", "page_size_bytes": 33554432, "block_size_bytes": 128,
///                   "region_size_blocks": 8192, "compression": "LZ4" | "None"}
///     tracker.dat  u32 slot count, then per internal id at 4 + 16·i:
///                  {u32 1 = some / 0 = none, u32 page_id, u32 block_offset, u32 length};
///                  slots past the count or the file read as none. Preallocated to
///                  max(1 MiB, next power of two of its size).
///     page_<p>.dat value bytes at block_offset × block_size of page `page_id` (a value may run
///                  on into the next pages); each page is page_size_bytes long (sparse tail)
///     bitmask.dat  1 bit per block, 1 = used, LSB-first; page_size / block_size / 8 bytes per page
///     gaps.dat     per region of region_size_blocks: {u16 max, u16 leading, u16 trailing} free runs;
///                  Qdrant trusts it at open, so it must match the bitmask exactly
///
/// With LZ4 a value is `u32 uncompressed length` + one raw LZ4 block (no frame). The value is
/// the point's payload as JSON.
public enum Gridstore {
    public enum Compression: String, Codable, Sendable { case none = "None", lz4 = "LZ4" }

    public struct Config: Codable, Sendable, Equatable {
        public var mode: String?
        public var page_size_bytes: Int
        public var block_size_bytes: Int
        public var region_size_blocks: Int
        public var compression: Compression?

        /// Qdrant's defaults: 32 MiB pages of 128-byte blocks, regions of 8192 blocks, LZ4.
        public static let standard = Config(mode: "mutable", page_size_bytes: 32 << 20, block_size_bytes: 128, region_size_blocks: 8192, compression: .lz4)

        var blocksPerPage: Int { page_size_bytes / block_size_bytes }

        /// Qdrant's `GridstoreConfig::validate`, plus an upper bound on the page size.
        func validate() throws {
            guard mode == nil || mode == "mutable" else {
                throw SegmentFormatError(.unsupported, "config.json", "gridstore mode \"\(mode!)\" is not read (only mutable)")
            }
            guard block_size_bytes > 0, region_size_blocks > 0, region_size_blocks <= Int(UInt16.max),
                page_size_bytes > 0, page_size_bytes <= 1 << 30,
                page_size_bytes >= block_size_bytes * region_size_blocks,
                page_size_bytes % (block_size_bytes * region_size_blocks) == 0
            else {
                throw SegmentFormatError(.corrupt, "config.json", "page \(page_size_bytes) / block \(block_size_bytes) / region \(region_size_blocks) sizes are inconsistent")
            }
        }
    }

    public static let directory = "payload_storage"

    // MARK: reading

    /// The values of the gridstore in `dir` by internal id (`count` slots; nil = no value),
    /// decompressed. See `Reader` for what is checked before a byte is copied.
    public static func read(dir: String, count: Int) throws -> [[UInt8]?] {
        let r = try Reader(dir: dir, count: count)
        return try (0..<count).map { try r.value($0) }
    }

    /// An opened gridstore: config, pages (mapped) and every tracker pointer checked — against
    /// the page count the bitmask implies and the real page file sizes — before any value is
    /// read; values are then copied and decompressed one at a time, on demand. A decompressed
    /// length is bounded by LZ4's maximum ratio before anything is allocated for it.
    public final class Reader: @unchecked Sendable {
        public let count: Int
        let config: Config
        let pages: [MappedFile?]
        /// Per slot: page, block, length (page == UInt32.max: no value).
        private let pointers: [(page: UInt32, block: UInt32, length: UInt32)]

        public init(dir: String, count: Int) throws {
            config = try readConfig(dir)
            let bitmaskSize = (try? FileIO.size(dir + "/bitmask.dat")) ?? -1
            guard bitmaskSize >= 0 else { throw SegmentFormatError(.missing, "bitmask.dat", "is missing") }
            let pageBitmaskBytes = config.blocksPerPage / 8
            guard bitmaskSize % max(1, pageBitmaskBytes) == 0 else {
                throw SegmentFormatError(.corrupt, "bitmask.dat", "is \(bitmaskSize) bytes, not whole pages of \(pageBitmaskBytes)")
            }
            let pageCount = bitmaskSize / max(1, pageBitmaskBytes)
            var mapped: [MappedFile?] = []
            for p in 0..<pageCount {
                let path = dir + "/page_\(p).dat"
                guard FileIO.exists(path) else { throw SegmentFormatError(.missing, "page_\(p).dat", "is missing (bitmask.dat covers \(pageCount) pages)") }
                mapped.append(try MappedFile(path: path))
            }
            guard !FileIO.exists(dir + "/page_\(pageCount).dat") else {
                throw SegmentFormatError(.corrupt, "page_\(pageCount).dat", "exists but bitmask.dat covers \(pageCount) pages")
            }
            pages = mapped
            self.count = count
            let tracker = try SegmentFiles.map(dir + "/tracker.dat", "tracker.dat")
            let config = self.config
            pointers = try tracker.withBytes { t in
                guard let declared = SegmentBytes.u32(t, 0) else { throw SegmentFormatError(.corrupt, "tracker.dat", "has no header") }
                let slots = min(Int(declared), (t.count - 4) / 16)
                guard slots <= count || emptySlots(t, from: count, to: slots) else {
                    throw SegmentFormatError(.corrupt, "tracker.dat", "has values for \(slots) points, the segment has \(count)")
                }
                var out = [(page: UInt32, block: UInt32, length: UInt32)](repeating: (UInt32.max, 0, 0), count: count)
                for i in 0..<min(slots, count) {
                    let at = 4 + 16 * i
                    let tag = SegmentBytes.u32(t, at)!
                    guard tag != 0 else { continue }
                    guard tag == 1 else { throw SegmentFormatError(.corrupt, "tracker.dat", "slot \(i) has tag \(tag)") }
                    let page = SegmentBytes.u32(t, at + 4)!, block = SegmentBytes.u32(t, at + 8)!, length = SegmentBytes.u32(t, at + 12)!
                    try Gridstore.check(page: Int(page), block: Int(block), length: Int(length), config: config, pages: mapped, slot: i)
                    out[i] = (page, block, length)
                }
                return out
            }
        }

        /// The value of slot `i` (nil when it has none), decompressed.
        public func value(_ i: Int) throws -> [UInt8]? {
            let p = pointers[i]
            guard p.page != UInt32.max else { return nil }
            let raw = Gridstore.copy(page: Int(p.page), block: Int(p.block), length: Int(p.length), config: config, pages: pages)
            return try decode(raw, config.compression ?? .lz4, slot: i)
        }
    }

    static func emptySlots(_ t: UnsafeRawBufferPointer, from: Int, to: Int) -> Bool {
        (from..<to).allSatisfy { SegmentBytes.u32(t, 4 + 16 * $0) == 0 }
    }

    static func readConfig(_ dir: String) throws -> Config {
        let bytes = try SegmentFiles.readSmall(dir + "/config.json", "config.json", limit: 1 << 20)
        let config: Config
        do {
            config = try JSONDecoder().decode(Config.self, from: Data(bytes))
        } catch {
            throw SegmentFormatError(.corrupt, "config.json", "is not a gridstore config (\(SegmentState.describe(error)))")
        }
        try config.validate()
        return config
    }

    /// Checks that the `length` bytes at `block` of `page` (running on into the following pages)
    /// lie inside the pages and inside the real page files.
    static func check(page: Int, block: Int, length: Int, config: Config, pages: [MappedFile?], slot: Int) throws {
        let start = page * config.page_size_bytes + block * config.block_size_bytes
        guard page < pages.count, block < config.blocksPerPage, length <= pages.count * config.page_size_bytes - start else {
            throw SegmentFormatError(.corrupt, "tracker.dat", "slot \(slot) points past the \(pages.count) pages (page \(page), block \(block), \(length) bytes)")
        }
        var at = start, left = length
        while left > 0 {
            let p = at / config.page_size_bytes, off = at % config.page_size_bytes
            let take = min(left, config.page_size_bytes - off)
            let have = pages[p]?.count ?? 0
            guard off + take <= have else {
                throw SegmentFormatError(.corrupt, "page_\(p).dat", "is \(have) bytes; slot \(slot) needs bytes up to \(off + take)")
            }
            at += take
            left -= take
        }
    }

    /// The bytes `check` accepted.
    static func copy(page: Int, block: Int, length: Int, config: Config, pages: [MappedFile?]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(length)
        var at = page * config.page_size_bytes + block * config.block_size_bytes
        while out.count < length {
            let p = at / config.page_size_bytes, off = at % config.page_size_bytes
            let take = min(length - out.count, config.page_size_bytes - off)
            out.append(contentsOf: UnsafeRawBufferPointer(start: pages[p]!.base + off, count: take))
            at += take
        }
        return out
    }

    /// Reverses `encode`. LZ4 expands at most 255:1, so a larger declared length is damage.
    static func decode(_ raw: [UInt8], _ compression: Compression, slot: Int) throws -> [UInt8] {
        guard compression == .lz4 else { return raw }
        guard raw.count >= 4 else { throw SegmentFormatError(.corrupt, "tracker.dat", "slot \(slot): an LZ4 value shorter than its length prefix") }
        let n = Int(raw.withUnsafeBytes { SegmentBytes.u32($0, 0)! })
        guard n <= (raw.count - 4) * 255 + 16 else {
            throw SegmentFormatError(.corrupt, "page data", "slot \(slot) declares \(n) bytes from an LZ4 block of \(raw.count - 4)")
        }
        guard n > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: n)
        let got = raw.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                LZ4_decompress_safe(src.baseAddress!.assumingMemoryBound(to: CChar.self) + 4, dst.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count - 4), Int32(n))
            }
        }
        guard got == n else { throw SegmentFormatError(.corrupt, "page data", "slot \(slot) is not a valid LZ4 block of \(n) bytes") }
        return out
    }

    // MARK: writing

    /// `u32 length` + raw LZ4 block, as `lz4_flex::compress_prepend_size`.
    static func encode(_ value: [UInt8], _ compression: Compression) -> [UInt8] {
        guard compression == .lz4 else { return value }
        let bound = Int(LZ4_compressBound(Int32(value.count)))
        var out = [UInt8](repeating: 0, count: 4 + bound)
        let n = value.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                dst.storeBytes(of: UInt32(value.count).littleEndian, as: UInt32.self)
                return LZ4_compress_default(src.baseAddress?.assumingMemoryBound(to: CChar.self), dst.baseAddress!.assumingMemoryBound(to: CChar.self) + 4, Int32(value.count), Int32(bound))
            }
        }
        out.removeLast(bound - Int(n))
        return out
    }

    /// Writes `values` (by internal id; nil = no value) as a fresh gridstore in `dir`: values
    /// packed from block 0 in order, bitmask and gaps exact. With `preallocate`, pages and the
    /// tracker get Qdrant's full sizes (sparse tails), as a gridstore that takes appends needs;
    /// without, they end after their last block in use, which is all a segment that is never
    /// appended to (an immutable one) needs, and keeps archives of small segments small.
    public static func write(_ values: [[UInt8]?], to dir: String, config: Config = .standard, preallocate: Bool = true) throws {
        try FileIO.makeDirectories(dir)
        let comp = config.compression ?? .lz4
        let bs = config.block_size_bytes
        var tracker: [UInt8] = []
        tracker.reserveCapacity(4 + 16 * values.count)
        SegmentBytes.le(UInt32(values.count), into: &tracker)
        var data: [UInt8] = []
        var block = 0
        for v in values {
            guard let v else {
                tracker.append(contentsOf: [UInt8](repeating: 0, count: 16))
                continue
            }
            let e = encode(v, comp)
            let page = block / config.blocksPerPage, off = block % config.blocksPerPage
            for x in [UInt32(1), UInt32(page), UInt32(off), UInt32(e.count)] { SegmentBytes.le(x, into: &tracker) }
            data.append(contentsOf: e)
            let blocks = max(1, (e.count + bs - 1) / bs)
            data.append(contentsOf: repeatElement(0, count: blocks * bs - e.count))
            block += blocks
        }
        let pages = max(1, (block + config.blocksPerPage - 1) / config.blocksPerPage)
        for p in 0..<pages {
            let from = min(data.count, p * config.page_size_bytes), to = min(data.count, (p + 1) * config.page_size_bytes)
            try data[from..<to].withUnsafeBytes {
                try SegmentFiles.write(dir + "/page_\(p).dat", $0, preallocate: preallocate ? config.page_size_bytes : 0)
            }
        }
        var trackerSize = preallocate ? 1 << 20 : 0
        while preallocate, trackerSize < tracker.count { trackerSize <<= 1 }
        try SegmentFiles.write(dir + "/tracker.dat", tracker, preallocate: trackerSize)
        let used = [Bool](repeating: true, count: block) + [Bool](repeating: false, count: pages * config.blocksPerPage - block)
        var bitmask = [UInt8](repeating: 0, count: pages * config.blocksPerPage / 8)
        for i in 0..<block { bitmask[i >> 3] |= 1 << UInt8(i & 7) }
        try SegmentFiles.write(dir + "/bitmask.dat", bitmask)
        try SegmentFiles.write(dir + "/gaps.dat", gaps(used, regionBlocks: config.region_size_blocks))
        try SegmentFiles.write(dir + "/config.json", try .json(config))
    }

    /// `{u16 max, u16 leading, u16 trailing}` free runs per region of the bitmask `used`.
    static func gaps(_ used: [Bool], regionBlocks: Int) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while start < used.count {
            let region = used[start..<min(used.count, start + regionBlocks)]
            var maxRun = 0, run = 0
            for u in region {
                run = u ? 0 : run + 1
                maxRun = max(maxRun, run)
            }
            let leading = region.prefix { !$0 }.count
            let trailing = region.reversed().prefix { !$0 }.count
            for x in [maxRun, leading, trailing] { SegmentBytes.le(UInt16(x), into: &out) }
            start += regionBlocks
        }
        return out
    }
}
