/// Qdrant's mmap sparse vector storage (`lib/segment/src/vector_storage/sparse/
/// mmap_sparse_vector_storage.rs`, `stored_sparse_vectors.rs`, v1.19.0), the one Qdrant 1.19
/// writes for appendable and immutable segments alike (`"storage_type": "mmap"` in
/// `sparse_vector_data`), in `vector_storage-<name>/`:
///
///     store/     a gridstore (see `Gridstore`), compression "None"; value per internal id:
///                bincode of `StoredSparseVector {indices: Vec<u8>, values: Vec<f32>}` =
///                u64 n_bytes, n_bytes of packed indices, u64 n_values, n_values × f32 LE
///     deleted/   `DynamicStoredFlags`: 1 = the point has no such vector
///
/// Packed indices (`lib/common/common/src/delta_pack.rs`, `bitpacking.rs`): the indices sorted,
/// as deltas from the previous one (the first from 0), each written in `b` bits, LSB-first into
/// a little-endian bit stream that starts with 6 bits holding `b − 8`; `b` = max(8, bits of the
/// largest delta); the last byte is padded with zeros; no indices = no bytes. The count is
/// ⌊(8·n_bytes − 6) / b⌋ (padding is under 8 ≤ b bits).
public enum SparseVectorStorage {
    public static let storeDirectory = "store"
    public static let deletedDirectory = "deleted"
    /// `store/config.json` as Qdrant writes it for sparse vectors (no compression).
    public static let gridstoreConfig = Gridstore.Config(
        mode: "mutable", page_size_bytes: 32 << 20, block_size_bytes: 128, region_size_blocks: 8192, compression: Gridstore.Compression.none)

    // MARK: one value

    /// Qdrant's stored bytes of `v` (sorted first, as Qdrant sorts before storing).
    public static func encode(_ v: SparseVector) -> [UInt8] {
        let s = v.sorted()
        let packed = deltaPack(s.indices)
        var w = ByteWriter(capacity: 16 + packed.count + 4 * s.values.count)
        w.u64(UInt64(packed.count))
        for b in packed { w.u8(b) }
        w.u64(UInt64(s.values.count))
        for f in s.values { w.u32(f.bitPattern) }
        return w.bytes
    }

    /// Decodes a stored value, checking every length against the bytes present before anything
    /// is allocated, that indices fit u32 and are strictly increasing, and that both lists agree.
    public static func decode(validating bytes: [UInt8]) throws -> SparseVector {
        try bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            do {
                let n = try Bounds.count(try r.u64(), minimumRecordSize: 1, available: r.remaining, what: "sparse vector indices")
                var packed = [UInt8]()
                packed.reserveCapacity(n)
                for _ in 0..<n { packed.append(try r.u8()) }
                let m = try Bounds.count(try r.u64(), minimumRecordSize: 4, available: r.remaining, what: "sparse vector values")
                var values = [Float]()
                values.reserveCapacity(m)
                for _ in 0..<m { values.append(Float(bitPattern: try r.u32())) }
                guard r.remaining == 0 else { throw SegmentFormatError(.corrupt, storeDirectory, "a sparse vector has \(r.remaining) trailing bytes") }
                let indices = try deltaUnpack(packed)
                guard indices.count == values.count else {
                    throw SegmentFormatError(.corrupt, storeDirectory, "a sparse vector has \(indices.count) indices but \(values.count) values")
                }
                return SparseVector(indices: indices, values: values)
            } catch is ByteReader.Truncated {
                throw SegmentFormatError(.corrupt, storeDirectory, "a sparse vector value is truncated")
            } catch let e as BoundsError {
                throw SegmentFormatError(.corrupt, storeDirectory, "\(e)")
            }
        }
    }

    static func deltaPack(_ sorted: [UInt32]) -> [UInt8] {
        guard !sorted.isEmpty else { return [] }
        var deltas: [UInt64] = []
        deltas.reserveCapacity(sorted.count)
        var prev: UInt32 = 0
        for x in sorted {
            deltas.append(UInt64(x - prev))
            prev = x
        }
        let maxDelta = deltas.max() ?? 0
        let bits = max(8, 64 - maxDelta.leadingZeroBitCount)
        var out: [UInt8] = []
        out.reserveCapacity((6 + bits * deltas.count + 7) / 8)
        var acc: UInt64 = 0, accBits = 0
        func put(_ value: UInt64, _ n: Int) {
            for i in 0..<n {
                acc |= ((value >> UInt64(i)) & 1) << UInt64(accBits)
                accBits += 1
                if accBits == 8 {
                    out.append(UInt8(acc))
                    acc = 0
                    accBits = 0
                }
            }
        }
        put(UInt64(bits - 8), 6)
        for d in deltas { put(d, bits) }
        if accBits > 0 { out.append(UInt8(acc)) }
        return out
    }

    static func deltaUnpack(_ bytes: [UInt8]) throws -> [UInt32] {
        guard !bytes.isEmpty else { return [] }
        var bitPos = 0
        func get(_ n: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<n {
                let bit = (bytes[(bitPos + i) >> 3] >> UInt8((bitPos + i) & 7)) & 1
                v |= UInt64(bit) << UInt64(i)
            }
            bitPos += n
            return v
        }
        let total = bytes.count * 8
        guard total >= 6 else { throw SegmentFormatError(.corrupt, storeDirectory, "packed sparse indices lack their header") }
        let bits = Int(get(6)) + 8
        guard bits <= 64 else { throw SegmentFormatError(.corrupt, storeDirectory, "packed sparse indices declare \(bits)-bit deltas") }
        let count = (total - 6) / bits
        var out: [UInt32] = []
        out.reserveCapacity(count)
        var prev: UInt64 = 0
        for k in 0..<count {
            let d = get(bits)
            let (sum, overflow) = prev.addingReportingOverflow(d)
            guard !overflow, sum <= UInt64(UInt32.max), k == 0 || d > 0 else {
                throw SegmentFormatError(.corrupt, storeDirectory, "packed sparse indices are out of u32 range or not increasing")
            }
            out.append(UInt32(sum))
            prev = sum
        }
        return out
    }

    // MARK: a vector storage directory

    /// The sparse vectors of the storage in `dir` (`vector_storage-<name>`) for `count` points
    /// (nil = no vector: no value in the gridstore, or its deleted flag set).
    public static func read(dir: String, relative: String, count: Int) throws -> [SparseVector?] {
        let grid = try SegmentFormatError.rethrow(under: relative + "/" + storeDirectory) {
            try Gridstore.Reader(dir: dir + "/" + storeDirectory, count: count)
        }
        let flags = try DynamicStoredFlags.read(dir: dir + "/" + deletedDirectory, relative: relative + "/" + deletedDirectory, upTo: count)
        return try (0..<count).map { i in
            if i < flags.count, flags[i] { return nil }
            guard let bytes = try SegmentFormatError.rethrow(under: relative + "/" + storeDirectory, { try grid.value(i) }) else { return nil }
            return try SegmentFormatError.rethrow(under: relative) { try decode(validating: bytes) }
        }
    }

    /// Writes `column` (padded to `count` with nil) as a fresh storage in `dir`.
    /// With `preallocate`, the gridstore gets Qdrant's full file sizes (an appendable segment's).
    public static func write(_ column: [SparseVector?], count: Int, to dir: String, preallocate: Bool = false) throws {
        let full = column + [SparseVector?](repeating: nil, count: max(0, count - column.count))
        try Gridstore.write(full.map { $0.map(encode) }, to: dir + "/" + storeDirectory, config: gridstoreConfig, preallocate: preallocate)
        try DynamicStoredFlags.write(full.map { $0 == nil }, to: dir + "/" + deletedDirectory)
    }
}
