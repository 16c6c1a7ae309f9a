/// Qdrant's bit packing (`lib/common/common/src/bitpacking.rs`, `bitpacking_links.rs`,
/// `bitpacking_ordered.rs`): values written LSB-first into a byte stream.
enum Bitpacking {
    /// Bits needed for `v` (0 for 0).
    static func packedBits(_ v: UInt64) -> Int { 64 - v.leadingZeroBitCount }

    /// Every value takes at least a byte, so a link list's byte length fixes its count.
    static let minBitsPerValue = 8
    /// The width of the per-list header holding `bits_per_sorted - 8`.
    static let headerBits = 5

    /// Appends bits LSB-first.
    struct Writer {
        private(set) var bytes: [UInt8] = []
        private var buf: UInt64 = 0
        private var bufBits = 0

        init() {}

        mutating func write(_ value: UInt64, bits: Int) {
            var v = value, left = bits
            while left > 0 {
                let take = min(left, 32)
                buf |= (v & ((1 << UInt64(take)) - 1)) << UInt64(bufBits)
                bufBits += take
                v = take == 64 ? 0 : v >> UInt64(take)
                left -= take
                while bufBits >= 8 {
                    bytes.append(UInt8(truncatingIfNeeded: buf))
                    buf >>= 8
                    bufBits -= 8
                }
            }
        }

        /// Pads the last partial byte with zero bits and returns the bytes.
        mutating func finish() -> [UInt8] {
            if bufBits > 0 { bytes.append(UInt8(truncatingIfNeeded: buf)) }
            buf = 0
            bufBits = 0
            return bytes
        }
    }

    /// `width` (≤ 64) bits at bit `offset` of `b`; the caller checked that they lie inside `b`.
    @inline(__always)
    static func read(_ b: UnsafeRawBufferPointer, bit offset: Int, width: Int) -> UInt64 {
        // One unaligned little-endian word where eight bytes are left and the value fits in it
        // after the shift (graph loads decode every link through here).
        let byte = offset >> 3, shift = offset & 7
        if width <= 56, byte + 8 <= b.count {
            let word = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> UInt64(shift)
            return width == 0 ? 0 : word & (UInt64.max >> UInt64(64 - width))
        }
        return readBytewise(b, bit: offset, width: width)
    }

    /// `read` a byte at a time (the last bytes of a buffer, widths over 56).
    static func readBytewise(_ b: UnsafeRawBufferPointer, bit offset: Int, width: Int) -> UInt64 {
        var out: UInt64 = 0
        var got = 0
        var pos = offset
        while got < width {
            let byte = UInt64(b[pos >> 3]) >> UInt64(pos & 7)
            let avail = 8 - (pos & 7)
            let take = min(avail, width - got)
            out |= (byte & ((1 << UInt64(take)) - 1)) << UInt64(got)
            got += take
            pos += take
        }
        return out
    }

    // MARK: links (bitpacking_links.rs)

    /// Packs one link list: the first `min(count, sortedCount)` links sorted and delta-coded
    /// after a 5-bit width header, the rest at `bitsPerUnsorted` each.
    static func packLinks(_ links: [UInt32], bitsPerUnsorted: Int, sortedCount: Int) -> [UInt8] {
        guard !links.isEmpty else { return [] }
        let n = min(links.count, sortedCount)
        let sorted = links[..<n].sorted()
        var deltas = sorted
        for i in stride(from: n - 1, to: 0, by: -1) { deltas[i] -= deltas[i - 1] }
        var w = Writer()
        if n > 0 {
            let bits = max(packedBits(UInt64(deltas.max()!)), minBitsPerValue)
            w.write(UInt64(bits - minBitsPerValue), bits: headerBits)
            for d in deltas { w.write(UInt64(d), bits: bits) }
        }
        for l in links[n...] { w.write(UInt64(l), bits: bitsPerUnsorted) }
        return w.finish()
    }

    /// Unpacks one link list of `b` (its whole byte range), appending to `out`; nil when the
    /// bytes do not form one (a width past 32 bits).
    static func unpackLinks(_ b: UnsafeRawBufferPointer, bitsPerUnsorted: Int, sortedCount: Int, into out: inout [UInt32]) -> Bool {
        guard !b.isEmpty else { return true }
        var remaining = b.count * 8
        var pos = 0
        if sortedCount > 0 {
            guard remaining >= headerBits else { return false }
            let bits = Int(read(b, bit: 0, width: headerBits)) + minBitsPerValue
            guard bits <= 32 else { return false }
            pos = headerBits
            remaining -= headerBits
            let count = min(sortedCount, remaining / bits)
            var acc: UInt32 = 0
            for _ in 0..<count {
                acc &+= UInt32(truncatingIfNeeded: read(b, bit: pos, width: bits))
                out.append(acc)
                pos += bits
                remaining -= bits
            }
        }
        while remaining >= bitsPerUnsorted {
            out.append(UInt32(truncatingIfNeeded: read(b, bit: pos, width: bitsPerUnsorted)))
            pos += bitsPerUnsorted
            remaining -= bitsPerUnsorted
        }
        return true
    }

    // MARK: ordered u64 arrays (bitpacking_ordered.rs)

    /// `bitpacking_ordered::Parameters`: 11 bytes on disk (`u64 length, u8 base_bits,
    /// u8 delta_bits, u8 chunk_len_log2`).
    struct OrderedParameters: Equatable {
        var length: Int
        var baseBits: Int
        var deltaBits: Int
        var chunkLenLog2: Int

        static let tailSize = 7
        static let maxChunkLenLog2 = 7

        /// Bytes per chunk, or nil on overflow.
        var chunkSizeBytes: Int? {
            guard let d = Bounds.product(deltaBits, (1 << chunkLenLog2) - 1), let bits = Bounds.sum(baseBits, d) else { return nil }
            return (bits + 7) / 8
        }

        /// Bytes of the whole stream, tail included, or nil on overflow.
        var compressedSize: Int? {
            guard let c = chunkSizeBytes else { return nil }
            let chunks = (length + (1 << chunkLenLog2) - 1) >> chunkLenLog2
            guard let all = Bounds.product(chunks, c) else { return nil }
            return Bounds.sum(all, Self.tailSize)
        }

        var isValid: Bool {
            (1...64).contains(baseBits) && (1...56).contains(deltaBits) && (0...Self.maxChunkLenLog2).contains(chunkLenLog2)
                && length >= 0 && compressedSize != nil
        }
    }

    /// Compresses sorted values with the parameters that give the fewest bytes (the first such
    /// in Qdrant's search order).
    static func compressOrdered(_ values: [UInt64]) -> ([UInt8], OrderedParameters) {
        let base = max(1, packedBits(values.last ?? 0))
        var best: OrderedParameters?
        for log2 in 0...OrderedParameters.maxChunkLenLog2 {
            var delta = 1
            var i = 0
            while i < values.count {
                let end = min(values.count, i + (1 << log2))
                delta = max(delta, packedBits(values[end - 1] - values[i]))
                i = end
            }
            guard delta <= 56 else { continue }
            let p = OrderedParameters(length: values.count, baseBits: base, deltaBits: delta, chunkLenLog2: log2)
            if best == nil || p.compressedSize! < best!.compressedSize! { best = p }
        }
        let p = best!
        var out: [UInt8] = []
        let chunkLen = 1 << p.chunkLenLog2
        var i = 0
        while i < values.count {
            let end = min(values.count, i + chunkLen)
            var w = Writer()
            w.write(values[i], bits: p.baseBits)
            for v in values[(i + 1)..<end] { w.write(v - values[i], bits: p.deltaBits) }
            for _ in 0..<(chunkLen - (end - i)) { w.write((1 << UInt64(p.deltaBits)) - 1, bits: p.deltaBits) }
            out += w.finish()
            i = end
        }
        out += [UInt8](repeating: 0xFF, count: OrderedParameters.tailSize)
        return (out, p)
    }

    /// All values of a stream made by `compressOrdered`; `b` holds at least `p.compressedSize` bytes.
    static func decompressOrdered(_ b: UnsafeRawBufferPointer, _ p: OrderedParameters) -> [UInt64] {
        let chunkBytes = p.chunkSizeBytes!
        let mask = (1 << p.chunkLenLog2) - 1
        var out: [UInt64] = []
        out.reserveCapacity(p.length)
        for i in 0..<p.length {
            let start = (i >> p.chunkLenLog2) * chunkBytes * 8
            let base = read(b, bit: start, width: p.baseBits)
            let j = i & mask
            out.append(j == 0 ? base : base &+ read(b, bit: start + p.baseBits + (j - 1) * p.deltaBits, width: p.deltaBits))
        }
        return out
    }
}
