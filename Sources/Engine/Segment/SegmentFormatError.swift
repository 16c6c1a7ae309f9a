/// The error of the `Segment/` readers: a file of a Qdrant-layout segment is missing, malformed
/// or inconsistent with the others. `file` is relative to the segment directory (never an
/// absolute server path), so the message can go back to a client as it is.
public struct SegmentFormatError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// Sizes, counts, offsets or magic bytes do not hold up.
        case corrupt
        /// Well-formed, but a variant qdb does not read (a newer version, RocksDB storage, …).
        case unsupported
        /// A file the layout needs is absent.
        case missing
    }

    public var code: Code
    /// The file, relative to its segment directory (`id_tracker.mappings`, `payload_storage/tracker.dat`).
    public var file: String
    public var message: String

    public init(_ code: Code, _ file: String, _ message: String) {
        self.code = code
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }

    /// The same error for `file` inside the folder `prefix` (`vector_storage-a/` + `matrix.dat`).
    func under(_ prefix: String) -> SegmentFormatError {
        SegmentFormatError(code, prefix + "/" + file, message)
    }
}

/// Helpers shared by the readers: bounds-checked little-endian loads from untrusted bytes.
enum SegmentBytes {
    /// The `u64` at `offset`, or nil when fewer than 8 bytes remain.
    static func u64(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt64? {
        guard offset >= 0, offset <= b.count - 8 else { return nil }
        return UInt64(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    static func u32(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt32? {
        guard offset >= 0, offset <= b.count - 4 else { return nil }
        return UInt32(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    static func u16(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt16? {
        guard offset >= 0, offset <= b.count - 2 else { return nil }
        return UInt16(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// `count` bits, LSB-first in little-endian words, from `b` (missing trailing bytes read as 0).
    static func bits(_ b: UnsafeRawBufferPointer, count: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: count)
        let have = min(b.count, (count + 7) / 8)
        for byte in 0..<have where b[byte] != 0 {
            let v = b[byte]
            for bit in 0..<8 where v & (1 << UInt8(bit)) != 0 {
                let i = byte * 8 + bit
                if i < count { out[i] = true }
            }
        }
        return out
    }

    /// `bits` packed LSB-first into `u64` words, `ceil(n/64) * 8` bytes (Qdrant's `StoredBitSlice`).
    static func packWords(_ bits: [Bool]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (bits.count + 63) / 64 * 8)
        for (i, set) in bits.enumerated() where set { out[i >> 3] |= 1 << UInt8(i & 7) }
        return out
    }

    /// One id tracker mapping: a tag byte (`tags.number` or `tags.uuid`), the id (u64, or 16
    /// RFC-order bytes), the u32 internal offset.
    static func mapping(_ id: PointID, offset: Int, tags: (number: UInt8, uuid: UInt8), into out: inout [UInt8]) {
        switch id {
        case .number(let n):
            out.append(tags.number)
            le(n, into: &out)
        case .uuid(let u):
            out.append(tags.uuid)
            withUnsafeBytes(of: u.uuid) { out.append(contentsOf: $0) }
        }
        le(UInt32(offset), into: &out)
    }

    /// A flat little-endian `u64` array (the id trackers' versions files).
    static func versions(_ vs: [UInt64]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(vs.count * 8)
        for v in vs { le(v, into: &out) }
        return out
    }

    static func le<T: FixedWidthInteger>(_ v: T, into out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }
}
