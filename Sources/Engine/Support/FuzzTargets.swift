import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Entry points for fuzzing every reader of untrusted bytes (`scripts/fuzz`, the `qdb-fuzz`
/// executable, and `FuzzCorpusTests`, which replays the checked-in seeds and regressions).
///
/// A target takes one input and runs it through a reader; a thrown error is the reader
/// rejecting the input (fine), a crash, trap, hang or sanitizer report is a bug. To add a reader
/// (for example a Qdrant-format `read(validating:)` under `Engine/Segment/`), add one line to
/// `all` that calls it, and a seed directory `Tests/Fixtures/fuzz/<name>/`:
///
///     "id-tracker": { try ImmutableIDTracker.read(validating: Array($0)) },
public enum FuzzTargets {
    public typealias Target = @Sendable (UnsafeRawBufferPointer) throws -> Void

    /// Every target by name.
    public static let all: [String: Target] = [
        "tar-reader": tarReader,
        "tar-extract": tarExtract,
        "manifest": { raw in
            _ = try SnapshotManifest.parse(Array(raw))
        },
        "archive-metadata": { raw in
            let meta = try JSONDecoder().decode(ArchiveMetadata.self, from: Data(raw))
            try meta.check([])
        },
        "json": { raw in
            _ = try JSONParser.parse(raw)
        },
        "upsert-body": upsertBody,
        "multipart": multipart,
        "wal": { raw in
            let (records, _) = WAL.parse(Array(raw))
            for r in records { _ = try WriteOperation.decode(r.body) }
        },
        "segment": segment,
        "sparse-vector": { raw in
            _ = try SparseVectorStorage.decode(validating: Array(raw))
        },
        "sparse-segment": sparseSegment,
        "sparse-index": sparseIndex,
        "multi-segment": multiSegment,
        "typed-segment": typedSegment,
        "hnsw-graph": hnswGraph,
        "segment-meta": { raw in
            let bytes = Array(raw)
            _ = try? SegmentState.read(validating: bytes)
            if let meta = try SegmentMeta.decode(segmentJSON: bytes) { try? Segment.checkBounds(meta, dir: "/nonexistent") }
        },
        "payloads": { raw in
            var r = ByteReader(raw)
            while r.remaining > 0 {
                var probe = r
                try probe.skipPayload()
                _ = try r.payload()
            }
        },
    ]

    /// Runs `data` through target `name`; false when there is no such target.
    @discardableResult
    public static func run(_ name: String, _ data: UnsafeRawBufferPointer) -> Bool {
        guard let target = all[name] else { return false }
        _ = try? target(data)
        return true
    }

    // MARK: Targets with state

    static func tarReader(_ raw: UnsafeRawBufferPointer) throws {
        let reader = try TarReader(source: BufferSource(Array(raw)), bufferSize: 4096)
        var n = 0
        while let _ = try reader.next() {
            try reader.readBlocks { _, _ in }
            n += 1
            if n > 10_000 { break }
        }
    }

    static func tarExtract(_ raw: UnsafeRawBufferPointer) throws {
        let staging = scratch + "/extract-\(getpid())"
        FileIO.removeTree(staging)
        try FileIO.makeDirectories(staging)
        defer { FileIO.removeTree(staging) }
        let reader = try TarReader(source: BufferSource(Array(raw)), bufferSize: 4096)
        let limits = ExtractLimits(maxEntrySize: 64 << 20, maxTotalSize: 256 << 20, maxEntries: 10_000, expansionAllowance: 64 << 20)
        _ = try TarExtractor(reader: reader, staging: staging).extract(limits: limits)
    }

    static func multipart(_ raw: UnsafeRawBufferPointer) throws {
        guard raw.count > 1 else { return }
        let step = Int(raw[0]) + 1
        var scanner = MultipartScanner(boundary: "b0undary", field: "snapshot", maxBytes: 1 << 20)
        var at = 1
        while at < raw.count {
            let end = min(raw.count, at + step)
            _ = try scanner.feed(UnsafeRawBufferPointer(rebasing: raw[at..<end]))
            at = end
        }
        _ = try scanner.finish()
    }

    /// The files of the template segment, in Qdrant's immutable layout, that the first byte of a
    /// `segment` input picks from (`scripts/gen-fuzz-seeds` writes seed `<i>-<name>` for each).
    public static let segmentFiles = [
        "segment.json", "version.info", "id_tracker.mappings", "id_tracker.versions", "id_tracker.deleted",
        "vector_storage/matrix.dat", "vector_storage/deleted.dat", "payload_storage/config.json",
        "payload_storage/tracker.dat", "payload_storage/page_0.dat", "payload_storage/bitmask.dat",
        "payload_storage/gaps.dat", "payload_index/config.json",
    ]

    /// The template segment's vectors: one unnamed 3-d Dot vector.
    static let segmentSchema = SegmentSchema(names: [""], dims: [3], distances: [.dot])

    /// The first byte picks one file of a small valid sealed segment; the rest replaces it, and
    /// the segment is loaded.
    static func segment(_ raw: UnsafeRawBufferPointer) throws {
        try segmentTemplate.withReplacedFile(raw, from: segmentFiles) { dir in
            let seg = try Segment.load(from: dir, schema: segmentSchema)
            for off in 0..<min(seg.count, 64) { _ = seg.payloads[off] }
        }
    }

    /// Scratch space for targets that need files: tmpfs when there is one.
    static let scratch: String = {
        let base = FileIO.isDirectory("/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return base + "/qdb-fuzz-\(getpid())"
    }()

    private static let segmentTemplate = FuzzSegmentTemplate {
        let segments = scratch + "/segments"
        try FileIO.makeDirectories(segments)
        let seg = Segment(id: "00000000-0000-4000-8000-000000000001", dims: [3])
        for i in 0..<5 {
            _ = seg.append(
                id: i == 2 ? .uuid(UUID(uuidString: "6f1c3e1a-0000-4000-8000-00000000000\(i)")!) : .number(UInt64(i)),
                vectors: [[Float(i), 1, 2]], payload: ["k": .int(Int64(i)), "s": .string("v\(i)")], version: UInt64(i + 1), sparse: [], multi: [])
        }
        try seg.writeSealed(to: segments, version: 6, schema: segmentSchema)
        return segments + "/" + seg.id
    }
}
