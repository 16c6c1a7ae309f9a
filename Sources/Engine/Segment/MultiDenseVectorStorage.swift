import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Qdrant 1.19's multi-dense vector storage, the only one it has for multivectors, in appendable
/// and immutable segments alike (`lib/segment/src/vector_storage/multi_dense/
/// appendable_mmap_multi_dense_vector_storage.rs`), in `vector_storage[-<name>]/`:
///
///     vectors/   chunked rows of `dim` elements of the vector's datatype (f32, f16 or u8;
///                `ChunkedVectors`): every inner vector, flattened
///     offsets/   chunked storage of dim 1 whose element is `MultivectorMmapOffset`
///                {u32 offset, u32 count, u32 capacity} (12 bytes): point i's inner vectors are
///                rows offset ..< offset + count of `vectors/`. A point's rows never cross a
///                chunk: when they do not fit the rest of one, they start at the next.
///     deleted/   `DynamicStoredFlags`: set where the point has no vector here
///
/// A point without the vector holds one zero row and its deleted flag, as Qdrant writes it
/// (it inserts a default vector, then deletes it).
public enum MultiDenseVectorStorage {
    /// Size of one `MultivectorMmapOffset`.
    static let offsetSize = 12

    /// Qdrant's `ChunkedVectorsConfig` for the offsets store: 32 MiB chunks of whole elements.
    static var offsetsConfig: ChunkedVectors.Config {
        let per = ChunkedVectors.defaultChunkBytes / offsetSize
        return ChunkedVectors.Config(chunk_size_bytes: per * offsetSize, chunk_size_vectors: per, dim: 1, populate: nil)
    }

    /// Writes `column` (an entry per point, nil where absent; missing tail = absent) for
    /// `count` points of inner dimension `dim` into `dir`.
    public static func write(_ column: [[[Float]]?], count: Int, dim: Int, datatype: VectorDatatype = .float32, to dir: String) throws {
        let perChunk = ChunkedVectors.config(dim: dim, elementSize: datatype.elementSize).chunk_size_vectors
        var rows: [Float] = []
        var rowCount = 0
        var offsets: [UInt8] = []
        offsets.reserveCapacity(count * offsetSize)
        var deleted: [Bool] = []
        deleted.reserveCapacity(count)
        for i in 0..<count {
            let m = i < column.count ? column[i] : nil
            let inner = m ?? [[Float](repeating: 0, count: dim)]
            let left = perChunk - rowCount % perChunk
            if inner.count > left {
                rows.append(contentsOf: repeatElement(0, count: left * dim))
                rowCount += left
            }
            SegmentBytes.le(UInt32(rowCount), into: &offsets)
            SegmentBytes.le(UInt32(inner.count), into: &offsets)
            SegmentBytes.le(UInt32(inner.count), into: &offsets)
            for v in inner { rows.append(contentsOf: v) }
            rowCount += inner.count
            deleted.append(m == nil)
        }
        try FileIO.makeDirectories(dir)
        try rows.withUnsafeBufferPointer { try ChunkedVectors.write($0, count: rowCount, dim: dim, to: dir + "/vectors", datatype: datatype) }
        try writeOffsets(offsets, count: count, to: dir + "/offsets")
        try DynamicStoredFlags.write(deleted, to: dir + "/deleted")
    }

    private static func writeOffsets(_ bytes: [UInt8], count: Int, to dir: String) throws {
        try FileIO.makeDirectories(dir)
        let c = offsetsConfig
        try SegmentFiles.write(dir + "/config.json", try .json(c))
        var st: [UInt8] = []
        SegmentBytes.le(UInt64(count), into: &st)
        try SegmentFiles.write(dir + "/status.dat", st)
        var k = 0
        var start = 0
        repeat {
            let here = min(count - start, c.chunk_size_vectors)
            let part = Array(bytes[(start * offsetSize)..<((start + here) * offsetSize)])
            try SegmentFiles.write(dir + "/" + ChunkedVectors.chunkFile(k), part, preallocate: c.chunk_size_bytes)
            start += here
            k += 1
        } while start < count
    }

    /// Reads the storage in `dir` for a segment of `count` points. Every count and offset is
    /// checked against the files that exist before anything is allocated for it: the offsets
    /// store's chunks against its status, each entry's rows against the rows stored, and the
    /// rows all live entries name together against the rows stored (so overlapping entries
    /// cannot multiply memory).
    /// - Throws: `SegmentFormatError` naming the file relative to the segment (`relative/…`).
    public static func read(dir: String, relative: String, dim: Int, datatype: VectorDatatype = .float32, count: Int) throws -> [[[Float]]?] {
        let offsets = try readOffsets(dir: dir + "/offsets", relative: relative + "/offsets", count: count)
        let (rows, floats) = try ChunkedVectors.read(dir: dir + "/vectors", dim: dim, relative: relative + "/vectors", datatype: datatype)
        let flags = try DynamicStoredFlags.read(dir: dir + "/deleted", relative: relative + "/deleted", upTo: count)
        return try decode(offsets: offsets, deleted: flags, rows: rows, floats: floats, dim: dim, count: count, relative: relative)
    }

    /// Turns checked offset entries into multivectors (shared with the fuzz target).
    static func decode(
        offsets: [(offset: Int, count: Int)], deleted: [Bool], rows: Int, floats: [Float], dim: Int, count: Int, relative: String
    ) throws -> [[[Float]]?] {
        var used = 0
        for (i, e) in offsets.enumerated() where !(i < deleted.count && deleted[i]) {
            guard e.count > 0, let end = Bounds.sum(e.offset, e.count), end <= rows else {
                throw SegmentFormatError(.corrupt, relative + "/offsets", "point \(i) names rows \(e.offset) + \(e.count), \(rows) are stored")
            }
            guard let total = Bounds.sum(used, e.count), total <= rows else {
                throw SegmentFormatError(.corrupt, relative + "/offsets", "its points name more rows than the \(rows) stored")
            }
            used = total
        }
        var out: [[[Float]]?] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            guard i < offsets.count, !(i < deleted.count && deleted[i]) else {
                out.append(nil)
                continue
            }
            let e = offsets[i]
            out.append((0..<e.count).map { r in
                let start = (e.offset + r) * dim
                return Array(floats[start..<(start + dim)])
            })
        }
        return out
    }

    /// The first `min(status, count)` offset entries, after checking the config and that each
    /// chunk file holds the bytes in use.
    static func readOffsets(dir: String, relative: String, count: Int) throws -> [(offset: Int, count: Int)] {
        let cfgBytes = try SegmentFiles.readSmall(dir + "/config.json", relative + "/config.json")
        let st = try SegmentFiles.readSmall(dir + "/status.dat", relative + "/status.dat")
        let c: ChunkedVectors.Config
        do {
            c = try JSONDecoder().decode(ChunkedVectors.Config.self, from: Data(cfgBytes))
        } catch {
            throw SegmentFormatError(.corrupt, relative + "/config.json", "is not a chunked vectors config (\(SegmentState.describe(error)))")
        }
        guard c.dim == 1, c.chunk_size_vectors > 0, c.chunk_size_vectors <= (1 << 30),
            c.chunk_size_bytes >= c.chunk_size_vectors * offsetSize
        else {
            throw SegmentFormatError(.corrupt, relative + "/config.json", "is not an offsets config (dim \(c.dim), \(c.chunk_size_vectors) per chunk, \(c.chunk_size_bytes) bytes)")
        }
        guard st.count >= 8, let raw = st.withUnsafeBytes({ SegmentBytes.u64($0, 0) }), raw <= UInt64(Int32.max) else {
            throw SegmentFormatError(.corrupt, relative + "/status.dat", "is not an entry count")
        }
        let n = min(Int(raw), count)
        var out: [(offset: Int, count: Int)] = []
        var k = 0
        while out.count < n {
            let here = min(n - out.count, c.chunk_size_vectors)
            let bytes = try readPrefix(dir + "/" + ChunkedVectors.chunkFile(k), relative + "/" + ChunkedVectors.chunkFile(k), bytes: here * offsetSize)
            try bytes.withUnsafeBytes { b in
                for j in 0..<here {
                    guard let off = SegmentBytes.u32(b, j * offsetSize), let cnt = SegmentBytes.u32(b, j * offsetSize + 4) else {
                        throw SegmentFormatError(.corrupt, relative + "/" + ChunkedVectors.chunkFile(k), "ends early")
                    }
                    out.append((Int(off), Int(cnt)))
                }
            }
            k += 1
        }
        return out
    }

    /// The first `bytes` bytes of `path`, after checking by `stat` that the file has them.
    private static func readPrefix(_ path: String, _ relative: String, bytes: Int) throws -> [UInt8] {
        let size = (try? FileIO.size(path)) ?? -1
        guard size >= bytes else {
            throw SegmentFormatError(size < 0 ? .missing : .corrupt, relative, size < 0 ? "is missing" : "is \(size) bytes, \(bytes) are in use")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SegmentFormatError(.missing, relative, "cannot be opened") }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: bytes)
        try out.withUnsafeMutableBytes { dst in
            var done = 0
            while done < bytes {
                let r = pread(fd, dst.baseAddress! + done, bytes - done, off_t(done))
                guard r > 0 else { throw SegmentFormatError(.corrupt, relative, "ends early") }
                done += r
            }
        }
        return out
    }
}
