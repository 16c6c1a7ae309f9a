import Foundation
import Testing
@testable import Engine

/// Sealed segments as loaded from disk (Qdrant's immutable layout): vectors mapped from
/// `matrix.dat` (not copied), payloads read from the gridstore, and damage to either refused at load.
@Suite struct SegmentColumnsTests {
    static let schema = SegmentSchema(names: ["a", "b"], dims: [3, 2], distances: [.dot, .euclid])

    /// A sealed segment of `n` points in `dir`/segments, written as a shard seals one.
    func sealedSegment(_ dir: TempDir, n: Int = 300) throws -> (Segment, String) {
        let seg = Segment(dims: [3, 2])
        for i in 0..<n {
            let payload: Payload = i % 5 == 0 ? [:] : [
                "i": .int(Int64(i)), "tag": .string("t\(i % 4)"), "nested": .object(["a": .array([.double(0.5), .null, .bool(true)])]),
            ]
            seg.append(id: i % 2 == 0 ? .number(UInt64(i)) : .uuid(UUID()), vectors: [[Float(i), 1, -1], i % 3 == 0 ? nil : [2, Float(i)]],
                       payload: payload, version: UInt64(i + 1), sparse: [], multi: [])
        }
        let segmentsDir = dir.path + "/segments"
        try FileIO.makeDirectories(segmentsDir)
        try seg.writeSealed(to: segmentsDir, version: UInt64(n), schema: Self.schema)
        return (seg, segmentsDir + "/" + seg.id)
    }

    @Test func loadedSegmentMatchesWhatWasWritten() throws {
        let dir = TempDir()
        let (seg, path) = try sealedSegment(dir)
        let loaded = try Segment.load(from: path, schema: Self.schema)
        #expect(loaded.count == seg.count)
        #expect(loaded.ids == seg.ids)
        for off in 0..<seg.count {
            #expect(loaded.vectors(at: off) == seg.vectors(at: off))
            #expect(loaded.payloads[off] == seg.payloads[off])
        }
        #expect(loaded.payloads.all == seg.payloads.all)
        // The scan view reads the mapped floats.
        let first = loaded.withVectors(slot: 0) { Array(UnsafeBufferPointer(start: $0, count: 6)) }
        #expect(first == [0, 1, -1, 1, 1, -1])
    }

    /// A query's hits read a few payloads of a restored segment: those are decoded alone, not
    /// the whole column (the first query after a restore decoded every payload); a loop over
    /// the segment soon decodes the column once, as before.
    @Test func aFewPayloadReadsDoNotDecodeTheColumn() throws {
        let dir = TempDir()
        let (seg, path) = try sealedSegment(dir, n: 3000)
        let loaded = try Segment.load(from: path, schema: Self.schema)
        for off in stride(from: 1, to: 3000, by: 300) { #expect(loaded.payloads[off] == seg.payloads[off]) }
        #expect(!loaded.payloads.isDecoded)
        for off in 0..<3000 { #expect(loaded.payloads[off] == seg.payloads[off]) }
        #expect(loaded.payloads.isDecoded, "a loop over the segment decodes it whole")
    }

    @Test func mappedVectorsOutliveTheirFiles() throws {
        // A restore over a collection unlinks the old segment files while the old segments may
        // still be read: the mapping keeps the data.
        let dir = TempDir()
        let (seg, path) = try sealedSegment(dir, n: 50)
        let loaded = try Segment.load(from: path, schema: Self.schema)
        FileIO.removeTree(path)
        #expect(!FileIO.exists(path))
        for off in [0, 17, 49] { #expect(loaded.vectors(at: off) == seg.vectors(at: off)) }
        #expect(loaded.payloads[17] == seg.payloads[17])
    }

    @Test func vectorsFileOfTheWrongSizeIsRefusedAtLoad() throws {
        let dir = TempDir()
        let (_, path) = try sealedSegment(dir, n: 40)
        let file = path + "/vector_storage-a/matrix.dat"
        let bytes = try FileIO.readAll(file)
        try FileIO.writeAtomically(bytes.dropLast(4), to: file)
        #expect(throws: StorageError.self) { try Segment.load(from: path, schema: Self.schema) }
    }

    @Test func damagedPayloadFileIsRefusedAtLoadOrOnCheck() throws {
        let dir = TempDir()
        let (seg, path) = try sealedSegment(dir, n: 40)
        let file = path + "/payload_storage/page_0.dat"
        let good = try FileIO.readAll(file)
        // Pointers past the page file's real bytes: refused at load.
        for damaged in [Array(good.prefix(good.count / 2)), []] {
            try FileIO.writeAtomically(damaged, to: file)
            let error = #expect(throws: StorageError.self) { try Segment.load(from: path, schema: Self.schema) }
            #expect(error?.code == .corrupt)
        }
        // Values that do not decompress: loaded (payloads decode on first use), caught by the
        // check archives without digests get, and read as empty payloads otherwise.
        try FileIO.writeAtomically([UInt8](repeating: 0xff, count: good.count), to: file)
        let loaded = try Segment.load(from: path, schema: Self.schema)
        #expect(throws: SegmentFormatError.self) { try loaded.payloads.check() }
        #expect(loaded.payloads[1] == [:] && seg.payloads[1] != [:])
    }

    @Test func sealedFilesAreQdrantsImmutableLayout() throws {
        let dir = TempDir()
        let (seg, path) = try sealedSegment(dir, n: 20)
        #expect(Segment.files(under: path) == [
            "id_tracker.deleted", "id_tracker.mappings", "id_tracker.versions", "payload_index/config.json",
            "payload_storage/bitmask.dat", "payload_storage/config.json", "payload_storage/gaps.dat",
            "payload_storage/page_0.dat", "payload_storage/tracker.dat", "segment.json",
            "vector_storage-a/deleted.dat", "vector_storage-a/matrix.dat", "vector_storage-b/deleted.dat",
            "vector_storage-b/matrix.dat", "version.info",
        ])
        let state = try SegmentState.read(validating: try FileIO.readAll(path + "/segment.json"))
        #expect(state.version == 20 && state.initial_version == 20)
        #expect(state.config.vector_data["b"] == VectorDataConfig(size: 2, distance: .euclid, storageType: .inRamMmap))
        #expect(try FileIO.size(path + "/vector_storage-a/matrix.dat") == 4 + 20 * 3 * 4)
        // Point 3 lacks vector b: the vector-deleted flag, not the point's.
        let absent = try FileIO.readAll(path + "/vector_storage-b/deleted.dat").withUnsafeBytes { try DenseMatrixFile.readDeleted(validating: $0, count: 20) }
        #expect(absent == (0..<20).map { $0 % 3 == 0 })
        let meta = try SegmentMeta.read(segmentDir: path)
        #expect(meta.id == seg.id && meta.format == 2 && meta.file_versions["vector_storage-a/matrix.dat"] == 20)
        #expect(Set(meta.file_sha256?.keys.map { $0 } ?? []) == Set(Segment.files(under: path)).subtracting(Segment.metadataFiles))
    }

    @Test func deletionsRewriteOnlyTheBitsetAndSegmentJSON() throws {
        let dir = TempDir()
        let (seg, path) = try sealedSegment(dir, n: 20)
        let before = try FileIO.readAll(path + "/id_tracker.mappings")
        seg.markDeleted(4, version: 33)
        try seg.writeDeletions(in: (path as NSString).deletingLastPathComponent)
        #expect(try FileIO.readAll(path + "/id_tracker.mappings") == before)
        let loaded = try Segment.load(from: path, schema: Self.schema)
        #expect(loaded.deleted[4] && loaded.liveCount == 19 && loaded.version == 33 && loaded.createdVersion == 20)
        #expect(try SegmentMeta.read(segmentDir: path).file_versions["id_tracker.deleted"] == 33)
    }

    @Test func skipPayloadStepsOverExactlyWhatPayloadReads() throws {
        let samples: [Payload] = [
            [:], ["a": .null], ["s": .string("héllo"), "u": .uint(UInt64.max), "d": .double(-1.5)],
            ["deep": .object(["x": .array([.array([.int(1)]), .object(["y": .bool(false)])])])],
        ]
        var w = ByteWriter()
        for p in samples { w.payload(p) }
        try w.bytes.withUnsafeBytes { raw in
            var skip = ByteReader(raw)
            var read = ByteReader(raw)
            for p in samples {
                try skip.skipPayload()
                #expect(try read.payload() == p)
                #expect(skip.offset == read.offset)
            }
            #expect(skip.remaining == 0)
        }
    }

    @Test func shardIndexOverMappedSegmentsServesReadsAndWrites() throws {
        let dir = TempDir()
        do {
            let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 32), logger: testLogger)
            try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .dot)))))
            let c = try s.collection("c")
            try c.upsert((0..<100).map { point(UInt64($0), [Float($0), 1], ["n": .int(Int64($0))]) }, wait: true)
            try s.close()
        }
        let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 32), logger: testLogger)
        let c = try s.collection("c")
        #expect(c.count(filter: nil) == 100)
        let seven = FieldCondition(key: "n", match: .value(.int(7)))
        #expect(c.count(filter: Filter(must: [.field(seven)])) == 1)
        // Payload changes to points of sealed (mapped, immutable) segments move them to the
        // appendable segment.
        try c.setPayload(["tag": .string("x")], key: nil, .ids([.number(3)]), wait: true)
        try c.upsert([point(5, [9, 9], ["n": .int(500)])], wait: true)
        let byID = Dictionary(uniqueKeysWithValues: allPoints(c).map { ($0.id, $0) })
        #expect(byID[.number(3)]?.payload == ["n": .int(3), "tag": .string("x")])
        #expect(byID[.number(5)]?.vectors[""] == [9, 9])
        #expect(byID[.number(99)]?.vectors[""] == [99, 1])
        #expect(c.count(filter: nil) == 100)
    }

    @Test func pointIDHashingKeepsNumbersAndUUIDsApart() {
        let u = UUID()
        var index: [PointID: Int] = [:]
        for i in 0..<1000 { index[.number(UInt64(i))] = i }
        index[.uuid(u)] = -1
        #expect(index.count == 1001)
        #expect(index[.uuid(u)] == -1)
        #expect(index[.number(999)] == 999)
        #expect(index[.uuid(UUID(uuidString: u.uuidString)!)] == -1)
        #expect(PointID.number(1).hashValue == PointID.number(1).hashValue)
    }
}
