/// The `bitpacking` crate's `BitPacker4x` (v0.9, `src/macros_simple.rs` and its SSE3 twin), in
/// the strictly-sorted mode Qdrant's compressed sparse posting lists use
/// (`lib/sparse/src/index/compressed_posting_list.rs`).
///
/// A block is 128 increasing `u32`. Each is stored as `v[k] - v[k-1] - 1` (wrapping; `v[-1]` is
/// `initial`, or `u32::MAX` when there is none, so the first delta of a list starting at 0 is 0),
/// in `b` bits, `b` = the bit length of the largest delta (0…32). The 128 deltas are dealt out to
/// four lanes, delta `4i + j` to lane `j`; lane `j` packs its 32 deltas LSB-first into `b` words
/// of its own, and word `w` of lane `j` is `u32` number `4w + j` of the block's `16·b` bytes
/// (little-endian).
enum BitPacker4x {
    static let blockLen = 128

    /// Bytes of a block packed with `bits` per delta.
    static func blockSize(bits: Int) -> Int { bits * blockLen / 8 }

    /// The deltas of `block` (128 values) after `initial`.
    private static func deltas(_ block: ArraySlice<UInt32>, initial: UInt32?) -> [UInt32] {
        var prev = initial ?? .max
        return block.map { v in
            defer { prev = v }
            return v &- prev &- 1
        }
    }

    /// The bits per delta `pack` uses for `block`.
    static func bits(_ block: ArraySlice<UInt32>, initial: UInt32?) -> Int {
        let all = deltas(block, initial: initial).reduce(UInt32(0)) { $0 | $1 }
        return 32 - all.leadingZeroBitCount
    }

    /// Appends `block` (128 strictly increasing values) packed with `bits` per delta.
    static func pack(_ block: ArraySlice<UInt32>, initial: UInt32?, bits: Int, into out: inout [UInt8]) {
        precondition(block.count == blockLen && (0...32).contains(bits))
        guard bits > 0 else { return }
        let d = deltas(block, initial: initial)
        var words = [UInt32](repeating: 0, count: 4 * bits)
        for lane in 0..<4 {
            var bit = 0
            for i in 0..<32 {
                let v = UInt64(d[4 * i + lane])
                let w = bit >> 5, shift = bit & 31
                let spread = v << UInt64(shift)
                words[4 * w + lane] |= UInt32(truncatingIfNeeded: spread)
                if shift + bits > 32 { words[4 * (w + 1) + lane] |= UInt32(truncatingIfNeeded: spread >> 32) }
                bit += bits
            }
        }
        for w in words { withUnsafeBytes(of: w.littleEndian) { out.append(contentsOf: $0) } }
    }

    /// Unpacks one block of `bits` per delta from `bytes` (exactly `blockSize(bits:)` of them)
    /// into `out` (128 values), wrapping as the crate does: the caller checks the order.
    static func unpack(_ bytes: UnsafeRawBufferPointer, initial: UInt32?, bits: Int, into out: inout [UInt32]) {
        precondition(bytes.count == blockSize(bits: bits) && out.count == blockLen && (0...32).contains(bits))
        var prev = initial ?? .max
        let mask: UInt64 = (1 << UInt64(bits)) - 1
        for k in 0..<blockLen {
            var d: UInt64 = 0
            if bits > 0 {
                let lane = k & 3, i = k >> 2
                let bit = i * bits
                let w = bit >> 5, shift = bit & 31
                var v = UInt64(bytes.loadUnaligned(fromByteOffset: 4 * (4 * w + lane), as: UInt32.self).littleEndian) >> UInt64(shift)
                if shift + bits > 32 {
                    v |= UInt64(bytes.loadUnaligned(fromByteOffset: 4 * (4 * (w + 1) + lane), as: UInt32.self).littleEndian) << UInt64(32 - shift)
                }
                d = v & mask
            }
            prev = prev &+ UInt32(truncatingIfNeeded: d) &+ 1
            out[k] = prev
        }
    }
}
