import Foundation

/// The `multi-segment` fuzz target: a small sealed segment with a dense vector and a
/// multivector, one of whose files (picked by the first input byte from `multiSegmentFiles`) is
/// replaced by the rest of the input before the segment is loaded and every multivector scored
/// by MaxSim. The template's chunk files are cut to the bytes in use (the reader accepts any
/// file at least that long), so one run rewrites kilobytes, not Qdrant's 32 MiB chunks.
extension FuzzTargets {
    public static let multiSegmentFiles = [
        "segment.json",
        "vector_storage-m/vectors/config.json", "vector_storage-m/vectors/status.dat", "vector_storage-m/vectors/chunk_0.mmap",
        "vector_storage-m/offsets/config.json", "vector_storage-m/offsets/status.dat", "vector_storage-m/offsets/chunk_0.mmap",
        "vector_storage-m/deleted/status.dat", "vector_storage-m/deleted/flags_a.dat",
    ]

    static let multiSchema: SegmentSchema = {
        var s = SegmentSchema(names: ["d"], dims: [2], distances: [.dot])
        s.takeMulti([("m", 3, .cosine, .float32)])
        return s
    }()

    static func multiSegment(_ raw: UnsafeRawBufferPointer) throws {
        try multiTemplate.withReplacedFile(raw, from: multiSegmentFiles) { dir in
            let seg = try Segment.load(from: dir, schema: multiSchema)
            let q: [[Float]] = [[1, 0, 0], [0, 0.6, 0.8]]
            for off in 0..<seg.count { _ = seg.multiVector(slot: 0, at: off).map { MultiVector.maxSim(q, $0, distance: .cosine) } }
        }
    }

    private static let multiTemplate = FuzzSegmentTemplate {
        let segments = scratch + "/multi-segments"
        try FileIO.makeDirectories(segments)
        let seg = Segment(id: "00000000-0000-4000-8000-000000000003", dims: [2])
        for i in 0..<5 {
            let m: [[Float]]? = i == 2 ? nil : (0...i).map { j in Distance.cosine.preprocess([Float(i), Float(j), 1]) }
            seg.append(id: .number(UInt64(i)), vectors: [[Float(i), 1]], payload: [:], version: UInt64(i + 1), sparse: [], multi: [m])
        }
        try seg.writeSealed(to: segments, version: 6, schema: multiSchema)
        let dir = segments + "/" + seg.id
        let rows = 1 + 2 + 1 + 4 + 5  // point 2 holds one zero row
        for (file, size) in [("vectors/chunk_0.mmap", rows * 3 * 4), ("offsets/chunk_0.mmap", 5 * 12), ("deleted/flags_a.dat", 8)] {
            guard truncate(dir + "/vector_storage-m/" + file, off_t(size)) == 0 else { throw FileIO.ioError("truncate \(file)") }
        }
        return dir
    }
}
