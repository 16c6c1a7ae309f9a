import Foundation

/// The `typed-segment` fuzz target: a small sealed segment with a `float16` and a `uint8` vector
/// (2- and 1-byte elements in `matrix.dat`), one of whose files (picked by the first input byte
/// from `typedSegmentFiles`) is replaced by the rest of the input before the segment is loaded
/// and every vector scored.
extension FuzzTargets {
    public static let typedSegmentFiles = [
        "segment.json", "vector_storage-b/matrix.dat", "vector_storage-b/deleted.dat",
        "vector_storage-h/matrix.dat", "vector_storage-h/deleted.dat", "id_tracker.mappings",
    ]

    static let typedSchema: SegmentSchema = {
        var s = SegmentSchema(names: ["b", "h"], dims: [3, 3], distances: [.cosine, .dot])
        s.datatypes = [.uint8, .float16]
        return s
    }()

    static func typedSegment(_ raw: UnsafeRawBufferPointer) throws {
        try typedTemplate.withReplacedFile(raw, from: typedSegmentFiles) { dir in
            let seg = try Segment.load(from: dir, schema: typedSchema)
            let q: [Float] = [1, 2, 3]
            for slot in 0..<2 {
                seg.withVectors(slot: slot) { base in
                    q.withUnsafeBufferPointer { qp in
                        for off in 0..<seg.count { _ = Distance.cosine.score(qp.baseAddress!, base + off * 3, dim: 3, raw: slot == 0) }
                    }
                }
            }
        }
    }

    private static let typedTemplate = FuzzSegmentTemplate {
        let segments = scratch + "/typed-segments"
        try FileIO.makeDirectories(segments)
        let seg = Segment(id: "00000000-0000-4000-8000-000000000003", dims: [3, 3])
        for i in 0..<5 {
            seg.append(id: .number(UInt64(i)), vectors: [i == 3 ? nil : [Float(i * 60), 7, 255], [Float(i) / 3, -1, 0.5]],
                       payload: [:], version: UInt64(i + 1), sparse: [], multi: [])
        }
        try seg.writeSealed(to: segments, version: 6, schema: typedSchema)
        return segments + "/" + seg.id
    }
}
