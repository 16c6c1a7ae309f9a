import Testing
@testable import Engine

/// `Bitpacking.read` (one unaligned word where it can) against the byte-at-a-time reader, at
/// every bit offset and width that lies inside a buffer, its last bytes included.
@Suite struct BitpackingTests {
    @Test func wordReadsMatchBytewiseReads() {
        var rng = SplitMix64(seed: 5)
        let bytes = (0..<40).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        bytes.withUnsafeBytes { b in
            for width in 0...64 {
                for offset in 0...(b.count * 8 - width) {
                    let fast = Bitpacking.read(b, bit: offset, width: width), slow = Bitpacking.readBytewise(b, bit: offset, width: width)
                    if fast != slow { Issue.record("offset \(offset) width \(width): \(fast) vs \(slow)"); return }
                }
            }
        }
    }

    @Test func linkListsRoundTrip() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<200 {
            let links = (0..<Int(rng.next() % 40)).map { _ in UInt32(rng.next() % 100_000) }
            let sorted = Int(rng.next() % 40)
            let packed = Bitpacking.packLinks(links, bitsPerUnsorted: 17, sortedCount: sorted)
            var out: [UInt32] = []
            #expect(packed.withUnsafeBytes { Bitpacking.unpackLinks($0, bitsPerUnsorted: 17, sortedCount: sorted, into: &out) })
            let n = min(links.count, sorted)
            #expect(out == links[..<n].sorted() + links[n...])
        }
    }
}
