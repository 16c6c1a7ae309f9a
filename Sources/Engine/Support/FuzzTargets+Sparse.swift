import Foundation

/// The `sparse-segment` fuzz target: a small sealed segment with a dense and a sparse vector,
/// one of whose files (picked by the first input byte from `sparseSegmentFiles`) is replaced by
/// the rest of the input before the segment is loaded and its sparse vectors searched.
extension FuzzTargets {
    public static let sparseSegmentFiles = [
        "segment.json", "vector_storage-s/store/config.json", "vector_storage-s/store/tracker.dat",
        "vector_storage-s/store/page_0.dat", "vector_storage-s/store/bitmask.dat", "vector_storage-s/store/gaps.dat",
        "vector_storage-s/deleted/status.dat", "vector_storage-s/deleted/flags_a.dat",
    ]

    static let sparseSchema = SegmentSchema(names: ["d"], dims: [2], distances: [.dot]).withSparse([("s", SparseVectorParams())])

    static func sparseSegment(_ raw: UnsafeRawBufferPointer) throws {
        try sparseTemplate.withReplacedFile(raw, from: sparseSegmentFiles) { dir in
            let seg = try Segment.load(from: dir, schema: sparseSchema)
            let q = SparseVector(indices: [0, 1, 2, 7], values: [1, 1, 1, 1])
            for off in 0..<seg.count { _ = seg.sparseVector(slot: 0, at: off).flatMap { q.dot($0) } }
        }
    }

    private static let sparseTemplate = FuzzSegmentTemplate {
        let segments = scratch + "/sparse-segments"
        try FileIO.makeDirectories(segments)
        let seg = Segment(id: "00000000-0000-4000-8000-000000000002", dims: [2])
        for i in 0..<5 {
            let v: SparseVector? = i == 3 ? nil : SparseVector(indices: [UInt32(i % 3), 7 + UInt32(i) * 300], values: [1, Float(i)])
            seg.append(id: .number(UInt64(i)), vectors: [[Float(i), 1]], payload: [:], version: UInt64(i + 1), sparse: [v], multi: [])
        }
        try seg.writeSealed(to: segments, version: 6, schema: sparseSchema)
        return segments + "/" + seg.id
    }
}

/// The `sparse-index` fuzz target: a sealed segment whose sparse vector has Qdrant's persisted
/// inverted index (`InvertedIndexFiles`), with posting lists long enough for packed chunks; the
/// first input byte picks one of the index files (`sparseIndexFiles`), the rest replaces it,
/// and the segment is loaded and searched through its index.
extension FuzzTargets {
    public static let sparseIndexFiles = InvertedIndexFiles.files.map { SegmentSchema.indexDir("s") + "/" + $0 }

    static func sparseIndex(_ raw: UnsafeRawBufferPointer) throws {
        try sparseIndexTemplate.withReplacedFile(raw, from: sparseIndexFiles) { dir in
            let seg = try Segment.load(from: dir, schema: sparseSchema)
            var scores = [Float](repeating: 0, count: seg.count), touched = [Bool](repeating: false, count: seg.count)
            for index in seg.sparseIndex {
                index.accumulate(SparseVector(indices: [0, 1, 2, 7, 400], values: [1, 1, 1, 1, 1]), scores: &scores, touched: &touched)
            }
        }
    }

    private static let sparseIndexTemplate = FuzzSegmentTemplate {
        let segments = scratch + "/sparse-index-segments"
        try FileIO.makeDirectories(segments)
        let seg = Segment(id: "00000000-0000-4000-8000-000000000003", dims: [2])
        for i in 0..<300 {
            let v: SparseVector? = i == 3 ? nil : SparseVector(indices: [UInt32(i % 3), 7, 100 + UInt32(i)], values: [1, Float(i), 0.5])
            seg.append(id: .number(UInt64(i)), vectors: [[Float(i), 1]], payload: [:], version: UInt64(i + 1), sparse: [v], multi: [])
        }
        seg.markDeleted(10, version: 301)
        try seg.writeSealed(to: segments, version: 302, schema: sparseSchema)
        return segments + "/" + seg.id
    }
}
