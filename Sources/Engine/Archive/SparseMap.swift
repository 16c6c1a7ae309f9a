#if canImport(Glibc)
import Glibc
#endif

/// The data regions of a file with holes (Qdrant's preallocated 32 MiB chunks, gridstore pages
/// and trackers, created with `ftruncate`), and their encoding as an old-GNU sparse tar entry
/// (typeflag `S`), the one sparse form that GNU tar, libarchive and the Rust `tar` crate
/// (Qdrant, Qdrant Edge) all read. libarchive's GNU writer has no sparse support, so `TarWriter`
/// lets it encode the header (name, long-name entry, numbers) and `header(patching:)` turns that
/// header into a sparse one.
///
/// Layout (GNU tar's `struct oldgnu_header`, offsets in the 512-byte header block):
///
///     156        typeflag 'S'
///     386..<482  4 × (offset[12], numbytes[12]) data regions, octal (base-256 past 8 GiB)
///     482        isextended: 1 when extension blocks follow the header
///     483..<495  realsize[12]: the file's logical size
///     124..<136  size[12]: the stored bytes (the sum of numbytes)
///
/// Each extension block holds 21 more regions and its own isextended byte at 504. The stored
/// data follows: the regions' bytes back to back, padded to 512. Readers require every region
/// but the last to be a multiple of 512 bytes long and the last to end at realsize, so regions
/// are rounded out to 512-byte blocks and a file ending in a hole gets an empty last region at
/// its size (what GNU tar writes).
struct SparseMap: Equatable {
    /// Data regions in increasing order, 512-aligned, not touching; the last may be empty.
    var regions: [Range<Int>]
    /// The file's logical size.
    var size: Int

    /// The bytes the archive stores for the file.
    var storedBytes: Int { regions.reduce(0) { $0 + $1.count } }

    static let block = 512
    /// Linux's `SEEK_DATA` and `SEEK_HOLE` (`<unistd.h>` hides them behind `_GNU_SOURCE`).
    static let seekData: Int32 = 3
    static let seekHole: Int32 = 4
    static let regionsInHeader = 4
    static let regionsPerExtension = 21

    /// The map of the open file `fd` of `size` bytes from `SEEK_DATA`/`SEEK_HOLE`, or nil when
    /// the file has no hole worth a sparse entry (its holes would save less than the extension
    /// blocks cost) or the file system cannot say.
    static func scan(fd: Int32, size: Int) -> SparseMap? {
        guard size > block else { return nil }
        var found: [Range<Int>] = []
        var pos = 0
        while pos < size {
            let data = lseek(fd, off_t(pos), seekData)
            if data < 0 {
                if errno == ENXIO { break }  // only a hole is left
                return nil
            }
            let hole = lseek(fd, data, seekHole)
            guard hole > data else { return nil }
            found.append(Int(data)..<min(Int(hole), size))
            pos = Int(hole)
        }
        let map = SparseMap(rounding: found, size: size)
        let saved = size - map.storedBytes
        guard saved >= block * (1 + map.extensionBlocks) else { return nil }
        return map
    }

    /// Regions rounded out to 512-byte blocks (clamped to `size`) and merged where they touch,
    /// plus an empty region at `size` when the file ends in a hole.
    init(rounding raw: [Range<Int>], size: Int) {
        var out: [Range<Int>] = []
        for r in raw where !r.isEmpty {
            let lo = r.lowerBound / Self.block * Self.block
            let hi = min(size, (r.upperBound + Self.block - 1) / Self.block * Self.block)
            if let last = out.last, lo <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, hi)
            } else {
                out.append(lo..<hi)
            }
        }
        if out.last?.upperBound != size { out.append(size..<size) }
        self.regions = out
        self.size = size
    }

    /// Extension blocks after the header (regions past the header's four, 21 per block).
    var extensionBlocks: Int {
        let rest = regions.count - Self.regionsInHeader
        return rest <= 0 ? 0 : (rest + Self.regionsPerExtension - 1) / Self.regionsPerExtension
    }

    /// Turns `header`, the last 512 bytes of what libarchive wrote for a regular file whose size
    /// was set to `storedBytes`, into a GNU sparse header, and returns it followed by the
    /// extension blocks.
    func header(patching header: ArraySlice<UInt8>) -> [UInt8] {
        precondition(header.count == Self.block, "a tar header is one block")
        var h = Array(header)
        for i in 345..<Self.block { h[i] = 0 }  // atime, ctime, offset, longnames, sparse map, realsize
        h[156] = UInt8(ascii: "S")
        let inHeader = regions.prefix(Self.regionsInHeader)
        for (i, r) in inHeader.enumerated() { Self.putRegion(r, into: &h, at: 386 + 24 * i) }
        h[482] = extensionBlocks > 0 ? 1 : 0
        Self.putNumber(size, into: &h, at: 483)
        Self.putChecksum(&h)
        var out = h
        var rest = regions.dropFirst(Self.regionsInHeader)
        while !rest.isEmpty {
            var ext = [UInt8](repeating: 0, count: Self.block)
            let part = rest.prefix(Self.regionsPerExtension)
            for (i, r) in part.enumerated() { Self.putRegion(r, into: &ext, at: 24 * i) }
            rest = rest.dropFirst(part.count)
            ext[504] = rest.isEmpty ? 0 : 1
            out += ext
        }
        return out
    }

    private static func putRegion(_ r: Range<Int>, into b: inout [UInt8], at offset: Int) {
        putNumber(r.lowerBound, into: &b, at: offset)
        putNumber(r.count, into: &b, at: offset + 12)
    }

    /// A 12-byte numeric field: 11 octal digits and a NUL, or GNU base-256 when it does not fit.
    static func putNumber(_ value: Int, into b: inout [UInt8], at offset: Int) {
        precondition(value >= 0, "tar numbers are not negative")
        if value < 1 << 33 {
            let digits = Array(String(value, radix: 8).utf8)
            let padded = [UInt8](repeating: UInt8(ascii: "0"), count: 11 - digits.count) + digits
            for i in 0..<11 { b[offset + i] = padded[i] }
            b[offset + 11] = 0
        } else {
            b[offset] = 0x80
            for i in 1..<12 { b[offset + i] = 0 }
            var v = UInt64(value)
            for i in stride(from: 11, through: 4, by: -1) {
                b[offset + i] = UInt8(v & 0xff)
                v >>= 8
            }
        }
    }

    /// The header checksum: the byte sum with the field as spaces, as 6 octal digits, NUL, space.
    static func putChecksum(_ h: inout [UInt8]) {
        for i in 148..<156 { h[i] = UInt8(ascii: " ") }
        let sum = h.reduce(0) { $0 + Int($1) }
        let digits = Array(String(sum, radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits
        for i in 0..<6 { h[148 + i] = padded[i] }
        h[154] = 0
        h[155] = UInt8(ascii: " ")
    }
}
