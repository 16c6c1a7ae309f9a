import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Qdrant's chunked dense vector storage of appendable segments (and of 1.18's indexed ones,
/// `lib/segment/src/vector_storage/chunked_vectors/`), in `vector_storage[-<name>]/vectors/`:
///
///     config.json     {"chunk_size_bytes", "chunk_size_vectors", "dim", "populate"?}
///     status.dat      u64 vector count
///     chunk_<k>.mmap  raw element arrays (f32, or f16 / u8 for those datatypes), no header;
///                     vector i is in chunk i / chunk_size_vectors at element
///                     (i % chunk_size_vectors) × dim. Chunks are preallocated to the full
///                     chunk size (32 MiB by default), so the tail is sparse.
public enum ChunkedVectors {
    public struct Config: Codable, Sendable, Equatable {
        public var chunk_size_bytes: Int
        public var chunk_size_vectors: Int
        public var dim: Int
        public var populate: Bool?
    }

    public static let defaultChunkBytes = 32 << 20

    /// The config Qdrant writes for `dim` elements of `elementSize` bytes: 32 MiB chunks
    /// rounded down to whole vectors.
    public static func config(dim: Int, elementSize: Int = 4) -> Config {
        let perChunk = max(1, defaultChunkBytes / (dim * elementSize))
        return Config(chunk_size_bytes: perChunk * dim * elementSize, chunk_size_vectors: perChunk, dim: dim, populate: nil)
    }

    /// Reads `config.json` and `status.dat`, checks them, and says which chunk files must exist
    /// and how many bytes of each are used.
    public static func plan(validatingConfig config: [UInt8], status: [UInt8], dim: Int, elementSize: Int = 4) throws -> (count: Int, chunks: [Int], config: Config) {
        let c: Config
        do {
            c = try JSONDecoder().decode(Config.self, from: Data(config))
        } catch {
            throw SegmentFormatError(.corrupt, "vectors/config.json", "is not a chunked vectors config (\(SegmentState.describe(error)))")
        }
        guard c.dim == dim else {
            throw SegmentFormatError(.corrupt, "vectors/config.json", "has dim \(c.dim), segment.json says \(dim)")
        }
        guard c.chunk_size_vectors > 0, c.chunk_size_vectors <= (1 << 30), c.chunk_size_bytes >= c.chunk_size_vectors * dim * elementSize else {
            throw SegmentFormatError(.corrupt, "vectors/config.json", "chunk sizes \(c.chunk_size_vectors) vectors / \(c.chunk_size_bytes) bytes do not fit \(dim) elements of \(elementSize) bytes")
        }
        guard status.count >= 8, let raw = status.withUnsafeBytes({ SegmentBytes.u64($0, 0) }), raw <= UInt64(Int32.max) else {
            throw SegmentFormatError(.corrupt, "vectors/status.dat", "is not a vector count")
        }
        let n = Int(raw)
        var used: [Int] = []
        var left = n
        while left > 0 {
            let here = min(left, c.chunk_size_vectors)
            used.append(here * dim * elementSize)
            left -= here
        }
        return (n, used, c)
    }

    public static func chunkFile(_ k: Int) -> String { "chunk_\(k).mmap" }

    /// Copies the `count` vectors out of the chunk files in `dir` after checking each file is at
    /// least as long as the part of it in use (sizes from `stat`, before anything is read), as
    /// floats (elements of `datatype` converted).
    public static func read(dir: String, dim: Int, relative: String, datatype: VectorDatatype = .float32) throws -> (count: Int, floats: [Float]) {
        let cfg = try SegmentFiles.readSmall(dir + "/config.json", relative + "/config.json")
        let st = try SegmentFiles.readSmall(dir + "/status.dat", relative + "/status.dat")
        let (n, used, _) : (Int, [Int], Config)
        do {
            (n, used, _) = try plan(validatingConfig: cfg, status: st, dim: dim, elementSize: datatype.elementSize)
        } catch let e as SegmentFormatError {
            throw SegmentFormatError(e.code, relative + "/" + e.file.replacingOccurrences(of: "vectors/", with: ""), e.message)
        }
        for (k, bytes) in used.enumerated() {
            let size = (try? FileIO.size(dir + "/" + chunkFile(k))) ?? -1
            guard size >= bytes else {
                throw SegmentFormatError(size < 0 ? .missing : .corrupt, relative + "/" + chunkFile(k),
                                         size < 0 ? "is missing (status.dat counts \(n) vectors)" : "is \(size) bytes, \(bytes) are in use")
            }
        }
        var raw = [UInt8](repeating: 0, count: n * dim * datatype.elementSize)
        try raw.withUnsafeMutableBytes { dst in
            var at = 0
            for (k, bytes) in used.enumerated() {
                let fd = open(dir + "/" + chunkFile(k), O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw SegmentFormatError(.missing, relative + "/" + chunkFile(k), "cannot be opened") }
                defer { close(fd) }
                var done = 0
                while done < bytes {
                    let r = pread(fd, dst.baseAddress! + at + done, bytes - done, off_t(done))
                    guard r > 0 else { throw SegmentFormatError(.corrupt, relative + "/" + chunkFile(k), "ends early") }
                    done += r
                }
                at += bytes
            }
        }
        return (n, raw.withUnsafeBytes { datatype.decode($0, count: n * dim) })
    }

    /// Writes `count` vectors of `dim` floats (`floats` holds `count × dim`) as Qdrant does, in
    /// elements of `datatype`: config, status and chunks preallocated to their full size (sparse
    /// past the data).
    public static func write(_ floats: UnsafeBufferPointer<Float>, count: Int, dim: Int, to dir: String, datatype: VectorDatatype = .float32) throws {
        try FileIO.makeDirectories(dir)
        let es = datatype.elementSize
        let c = config(dim: dim, elementSize: es)
        let elements = datatype.encode(floats)
        try SegmentFiles.write(dir + "/config.json", try .json(c))
        var st: [UInt8] = []
        SegmentBytes.le(UInt64(count), into: &st)
        try SegmentFiles.write(dir + "/status.dat", st)
        var k = 0
        var start = 0
        repeat {
            let here = min(count - start, c.chunk_size_vectors)
            try elements.withUnsafeBytes { all in
                let raw = UnsafeRawBufferPointer(rebasing: all[(start * dim * es)..<((start + here) * dim * es)])
                try SegmentFiles.write(dir + "/" + chunkFile(k), raw, preallocate: c.chunk_size_bytes)
            }
            start += here
            k += 1
        } while start < count
    }
}

/// Qdrant's `DynamicStoredFlags` (`lib/segment/src/common/flags/dynamic_stored_flags.rs`), the
/// vector-deleted flags of chunked storage, in `…/deleted/`:
///
///     flags_a.dat  bitset, LSB-first u64 words; size max(1 MiB, next_pow2(ceil(n / 8)))
///     status.dat   {u64 len, u64 current_file_id}; current_file_id 0 means flags_a.dat
public enum DynamicStoredFlags {
    /// The flags; with `upTo`, at most that many are read (the vector count they describe).
    public static func read(dir: String, relative: String, upTo: Int? = nil) throws -> [Bool] {
        let st = try SegmentFiles.readSmall(dir + "/status.dat", relative + "/status.dat")
        guard st.count >= 16, let len = st.withUnsafeBytes({ SegmentBytes.u64($0, 0) }),
            let fileID = st.withUnsafeBytes({ SegmentBytes.u64($0, 8) })
        else { throw SegmentFormatError(.corrupt, relative + "/status.dat", "is not a flags status") }
        let name = fileID == 0 ? "flags_a.dat" : "flags_b.dat"
        let path = dir + "/" + name
        guard let size = try? FileIO.size(path) else { throw SegmentFormatError(.missing, relative + "/" + name, "is missing") }
        guard len <= UInt64(size) * 8 else {
            throw SegmentFormatError(.corrupt, relative + "/" + name, "is \(size) bytes, too short for \(len) flags")
        }
        let count = min(Int(len), upTo ?? Int(len))
        return try SegmentFiles.map(path, relative + "/" + name).withBytes { SegmentBytes.bits($0, count: count) }
    }

    public static func write(_ flags: [Bool], to dir: String) throws {
        try FileIO.makeDirectories(dir)
        var st: [UInt8] = []
        SegmentBytes.le(UInt64(flags.count), into: &st)
        SegmentBytes.le(UInt64(0), into: &st)
        try SegmentFiles.write(dir + "/status.dat", st)
        let need = (flags.count + 7) / 8
        var size = 1 << 20
        while size < need { size <<= 1 }
        try SegmentFiles.write(dir + "/flags_a.dat", SegmentBytes.packWords(flags), preallocate: size)
    }
}
