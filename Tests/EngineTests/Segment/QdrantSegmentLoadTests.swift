import Foundation
import Testing
@testable import Engine

/// `Segment.load` of segment directories in the layouts Qdrant writes and qdb does not keep:
/// built here with the `Engine/Segment` writers as Qdrant lays them out (reference §1.1, §1.2),
/// loaded, and rewritten densely in the immutable layout. (Segments written by qdrant-edge itself
/// are loaded in tests/e2e/test_qdrant_edge_interop.py.)
@Suite struct QdrantSegmentLoadTests {
    let dir = TempDir()
    static let schema = SegmentSchema(names: ["", "x"], dims: [3, 2], distances: [.dot, .euclid])

    /// An appendable segment: mutable id tracker log (offset 1 deleted, offset 3 re-inserted
    /// for point 10), chunked vectors with vector "x" absent on offset 2, LZ4 gridstore payloads.
    func appendable(id: String = UUID().uuidString.lowercased(), storage: VectorStorageType = .inRamChunkedMmap, mutable: Bool = true) throws -> String {
        let seg = dir.path + "/segments/" + id
        try FileIO.makeDirectories(seg)
        let n = 4
        let v0: [Float] = (0..<(n * 3)).map(Float.init), v1: [Float] = (0..<(n * 2)).map { Float($0) / 2 }
        try v0.withUnsafeBufferPointer { try ChunkedVectors.write($0, count: n, dim: 3, to: seg + "/vector_storage/vectors") }
        try DynamicStoredFlags.write([false, false, false, false], to: seg + "/vector_storage/deleted")
        try v1.withUnsafeBufferPointer { try ChunkedVectors.write($0, count: n, dim: 2, to: seg + "/vector_storage-x/vectors") }
        try DynamicStoredFlags.write([false, false, true, false], to: seg + "/vector_storage-x/deleted")
        let versions: [UInt64] = [3, 4, 5, 9]
        if mutable {
            var log = MutableIDTracker(ids: [.number(7), .number(8), .number(9), nil], versions: versions).write().mappings
            log += [3] + withUnsafeBytes(of: UInt64(8).littleEndian, Array.init)  // delete 8
            log += [1] + withUnsafeBytes(of: UInt64(10).littleEndian, Array.init) + withUnsafeBytes(of: UInt32(3).littleEndian, Array.init)
            try SegmentFiles.write(seg + "/" + MutableIDTracker.mappingsFile, log)
            try SegmentFiles.write(seg + "/" + MutableIDTracker.versionsFile, MutableIDTracker(ids: [], versions: versions).write().versions)
        } else {
            let t = ImmutableIDTracker(ids: [.number(7), .number(8), .number(9), .number(10)], versions: versions, deleted: [false, true, false, false]).write()
            try SegmentFiles.write(seg + "/" + ImmutableIDTracker.mappingsFile, t.mappings)
            try SegmentFiles.write(seg + "/" + ImmutableIDTracker.versionsFile, t.versions)
            try SegmentFiles.write(seg + "/" + ImmutableIDTracker.deletedFile, t.deleted)
        }
        try Gridstore.write((0..<n).map { i in i == 0 ? nil : PayloadJSON.encode(["i": .int(Int64(i))]) }, to: seg + "/payload_storage")
        try FileIO.makeDirectories(seg + "/payload_index")
        try SegmentFiles.write(seg + "/payload_index/config.json", Array(#"{"indexed_fields":{}}"#.utf8))
        try SegmentFiles.write(seg + "/version.info", Array("0.6.0".utf8))
        let index: VectorIndexKind = mutable ? .plain : .hnsw(.object(["m": .int(16)]))
        let state = SegmentState(initialVersion: mutable ? nil : 9, version: 9, config: SegmentConfig(vectorData: [
            "": VectorDataConfig(size: 3, distance: .dot, storageType: storage, index: index),
            "x": VectorDataConfig(size: 2, distance: .euclid, storageType: storage, index: index),
        ]))
        try SegmentFiles.write(seg + "/segment.json", try .json(state))
        return seg
    }

    func check(_ s: Segment, path: String) throws {
        #expect(s.count == 3 && s.liveCount == 3)  // the deleted slot is gone: internal ids dense
        #expect(s.ids == [.number(7), .number(9), .number(10)])
        #expect(s.versions == [3, 5, 9])
        #expect(s.vectors(at: 0) == [[0, 1, 2], [0, 0.5]])
        #expect(s.vectors(at: 1) == [[6, 7, 8], nil])
        #expect(s.vectors(at: 2)[0] == [9, 10, 11])
        #expect(s.payloads.all == [[:], ["i": .int(2)], ["i": .int(3)]])
        #expect(s.version == 9)
        // On disk now: the immutable layout, which loads as it is.
        #expect(FileIO.exists(path + "/id_tracker.mappings") && !FileIO.exists(path + "/mutable_id_tracker.mappings"))
        #expect(FileIO.exists(path + "/vector_storage-x/matrix.dat") && !FileIO.exists(path + "/vector_storage-x/vectors"))
        #expect(!FileIO.exists(path + ".tmp"))
        let state = try SegmentState.read(validating: try FileIO.readAll(path + "/segment.json"))
        #expect(state.config.vector_data["x"]?.storage_type == .inRamMmap && state.config.vector_data["x"]?.index == .plain)
        let again = try Segment.load(from: path, schema: Self.schema)
        #expect(!again.needsRewrite && again.ids == s.ids && again.payloads.all == s.payloads.all && again.vectors(at: 1) == s.vectors(at: 1))
    }

    @Test func appendableSegmentLoadsAndIsRewrittenDensely() throws {
        let path = try appendable()
        try check(try Segment.load(from: path, schema: Self.schema), path: path)
    }

    @Test func chunkedImmutableSegmentOf118LoadsAndDropsTheGraphItCannotKeep() throws {
        let path = try appendable(storage: .chunkedMmap, mutable: false)
        try FileIO.makeDirectories(path + "/vector_index")
        try SegmentFiles.write(path + "/vector_index/graph.bin", [1, 2, 3])
        let s = try Segment.load(from: path, schema: Self.schema)
        try check(s, path: path)
        #expect(!FileIO.exists(path + "/vector_index"))  // a slot was dropped: the graph's ids no longer hold
    }

    @Test func mismatchesAndDamageNameTheFile() throws {
        let path = try appendable()
        let other = SegmentSchema(names: ["", "y"], dims: [3, 2], distances: [.dot, .euclid])
        let e1 = #expect(throws: StorageError.self) { try Segment.load(from: path, schema: other) }
        #expect(e1?.message.contains("segment.json") == true)
        try SegmentFiles.write(path + "/vector_storage-x/vectors/status.dat", withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init))
        let e2 = #expect(throws: StorageError.self) { try Segment.load(from: path, schema: Self.schema) }
        #expect(e2?.message.contains("vector_storage-x/vectors/status.dat") == true)
        #expect(e2?.message.contains(dir.path) == false)
        try FileIO.writeAtomically(Array("0.9.0".utf8), to: path + "/version.info")
        let e3 = #expect(throws: StorageError.self) { try Segment.load(from: path, schema: Self.schema) }
        #expect(e3?.code == .badInput && e3?.message.contains("version.info") == true)
    }
}
