import Foundation
import Testing
@testable import Engine

/// The readers and writers of Qdrant's segment files (`Engine/Segment/`): round trips, the byte
/// layouts of reference §2, and hostile input (every count and offset checked against the bytes).
@Suite struct SegmentFormatTests {
    let dir = TempDir()

    static let uuid = PointID(string: "12345678-9abc-def0-1122-334455667788")!

    func bytes<R>(_ b: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try b.withUnsafeBytes(body)
    }

    // MARK: segment.json, version.info

    @Test func segmentStateSpellsQdrantsEnums() throws {
        var v = VectorDataConfig(size: 4, distance: .cosine, storageType: .inRamMmap)
        v.datatype = nil
        let state = SegmentState(initialVersion: 7, version: 9, config: SegmentConfig(vectorData: ["": v]))
        let json = String(decoding: try [UInt8].json(state), as: UTF8.self)
        #expect(json.contains(#""storage_type":"InRamMmap""#))
        #expect(json.contains(#""index":{"options":{},"type":"plain"}"#))
        #expect(json.contains(#""payload_storage_type":{"type":"mmap"}"#))
        #expect(json.contains(#""quantization_config":null"#))
        #expect(!json.contains("sparse_vector_data"))
        #expect(try SegmentState.read(validating: Array(json.utf8)) == state)
        let appendable = SegmentState(initialVersion: nil, version: nil, config: SegmentConfig(vectorData: ["": VectorDataConfig(size: 4, distance: .dot, storageType: .inRamChunkedMmap)]))
        #expect(String(decoding: try [UInt8].json(appendable), as: UTF8.self).contains(#""initial_version":null"#))
        #expect(appendable.isAppendable && !state.isAppendable)
    }

    @Test func segmentStateReadsQdrantsOwnFileAndIgnoresUnknownKeys() throws {
        let edge = #"{"initial_version":21,"version":21,"config":{"vector_data":{"":{"size":128,"distance":"Cosine","storage_type":"InRamMmap","index":{"type":"hnsw","options":{"m":16,"ef_construct":100,"full_scan_threshold":10000,"max_indexing_threads":0,"on_disk":false}},"quantization_config":null}},"payload_storage_type":{"type":"mmap"},"future_key":1}}"#
        let s = try SegmentState.read(validating: Array(edge.utf8))
        #expect(s.version == 21 && s.initial_version == 21)
        guard case .hnsw(let options) = s.config.vector_data[""]?.index else { Issue.record("not hnsw"); return }
        #expect(options.objectValue?["m"] == .int(16))
        #expect(!s.isAppendable)
    }

    @Test func segmentStateRejectsWhatALoaderCannotUse() {
        let cases = [
            #"{"version":1,"config":{"vector_data":{"":{"size":4,"distance":"Cosine","storage_type":"Memory","index":{"type":"plain","options":{}},"quantization_config":null}},"payload_storage_type":{"type":"mmap"}}}"#,
            #"{"version":1,"config":{"vector_data":{"":{"size":0,"distance":"Cosine","storage_type":"Mmap","index":{"type":"plain","options":{}}}},"payload_storage_type":{"type":"mmap"}}}"#,
            #"{"version":1,"config":{"vector_data":{"../x":{"size":4,"distance":"Cosine","storage_type":"Mmap","index":{"type":"plain","options":{}}}},"payload_storage_type":{"type":"mmap"}}}"#,
            #"{"version":1,"config":{"vector_data":{"":{"size":4,"distance":"Cosine","storage_type":"Mmap","index":{"type":"ivf","options":{}}}},"payload_storage_type":{"type":"mmap"}}}"#,
            #"{"version":1,"config":{"vector_data":{},"payload_storage_type":{"type":"rocksdb"}}}"#,
            #"{"version":1}"#, "[", "",
        ]
        for c in cases {
            #expect(throws: SegmentFormatError.self, "\(c)") { try SegmentState.read(validating: Array(c.utf8)) }
        }
    }

    @Test func versionInfo() throws {
        #expect(String(decoding: SegmentVersionInfo.write(), as: UTF8.self) == "0.6.0")
        #expect(try SegmentVersionInfo.read(validating: Array("0.6.0".utf8)) == "0.6.0")
        #expect(throws: SegmentFormatError.self) { try SegmentVersionInfo.read(validating: Array("0.7.0".utf8)) }
        #expect(throws: SegmentFormatError.self) { try SegmentVersionInfo.read(validating: Array("banana".utf8)) }
        #expect(throws: SegmentFormatError.self) { try SegmentVersionInfo.read(validating: [UInt8](repeating: 0x30, count: 100)) }
    }

    // MARK: id trackers

    @Test func immutableTrackerRoundTripsAndUsesRFCByteOrder() throws {
        let t = ImmutableIDTracker(ids: [.number(31), Self.uuid, nil, .number(0)], versions: [5, 6, 0, 7], deleted: [false, true, false, false])
        let (m, v, d) = t.write()
        #expect(m.count == 8 + 13 * 2 + 21)
        #expect(Array(m[8 + 13 + 1..<8 + 13 + 17]) == [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])
        #expect(v.count == 32 && d.count == 8 && d[0] == 0b10)
        let back = try bytes(m) { mm in try bytes(v) { vv in try bytes(d) { dd in try ImmutableIDTracker.read(validating: mm, versions: vv, deleted: dd, pointCount: 4) } } }
        #expect(back == t)
    }

    @Test func immutableTrackerRefusesHostileFiles() {
        func read(_ m: [UInt8], _ v: [UInt8] = [UInt8](repeating: 0, count: 16), _ d: [UInt8] = [0], n: Int? = nil) throws {
            _ = try bytes(m) { mm in try bytes(v) { vv in try bytes(d) { dd in try ImmutableIDTracker.read(validating: mm, versions: vv, deleted: dd, pointCount: n) } } }
        }
        func entry(_ ext: UInt64, _ off: UInt32, kind: UInt8 = 0) -> [UInt8] {
            var e: [UInt8] = [kind]
            SegmentBytes.le(ext, into: &e)
            SegmentBytes.le(off, into: &e)
            return e
        }
        func count(_ n: UInt64) -> [UInt8] { var c: [UInt8] = []; SegmentBytes.le(n, into: &c); return c }
        #expect(throws: SegmentFormatError.self) { try read([1, 2, 3]) }
        #expect(throws: SegmentFormatError.self) { try read(count(UInt64.max) + entry(1, 0)) }  // count beyond the bytes
        #expect(throws: SegmentFormatError.self) { try read(count(2) + entry(1, 0) + entry(2, 0)) }  // internal id twice
        #expect(throws: SegmentFormatError.self) { try read(count(1) + entry(1, 0, kind: 9)) }
        #expect(throws: SegmentFormatError.self) { try read(count(1) + entry(1, 5), n: 2) }  // past the vectors
        #expect(throws: SegmentFormatError.self) { try read(count(1) + entry(1, 0) + [0]) }  // trailing bytes
        #expect(throws: SegmentFormatError.self) { try read(count(2) + entry(1, 0) + entry(2, 1), [0, 0, 0, 0, 0, 0, 0, 0]) }  // versions short
        #expect(throws: SegmentFormatError.self) { try read(count(1) + entry(1, 1_000_000), [], []) }  // deleted too short for the id space
        #expect(throws: Never.self) { try read(count(2) + entry(1, 0) + entry(2, 1)) }
    }

    @Test func mutableTrackerReplaysTheLog() throws {
        var m: [UInt8] = []
        func insert(_ ext: UInt64, _ off: UInt32) { m.append(1); SegmentBytes.le(ext, into: &m); SegmentBytes.le(off, into: &m) }
        func delete(_ ext: UInt64) { m.append(3); SegmentBytes.le(ext, into: &m) }
        insert(10, 0); insert(11, 1); insert(12, 2); delete(11); insert(10, 3)  // 10 moved to offset 3
        m.append(2); m.append(contentsOf: [UInt8](repeating: 0xAB, count: 16)); SegmentBytes.le(UInt32(1), into: &m)
        let torn = m + [1, 9, 9]  // a record cut short by a crash is dropped
        var v: [UInt8] = []
        for x: UInt64 in [1, 2, 3, 4] { SegmentBytes.le(x, into: &v) }
        v += [1, 2, 3]  // a partial version tail is ignored
        let t = try bytes(torn) { mm in try bytes(v) { vv in try MutableIDTracker.read(validating: mm, versions: vv, pointCount: 5) } }
        #expect(t.ids[0] == nil && t.ids[2] == .number(12) && t.ids[3] == .number(10) && t.ids[4] == nil)
        #expect(t.ids[1]?.description == "abababab-abab-abab-abab-abababababab")
        #expect(t.versions == [1, 2, 3, 4, 0])
        let written = MutableIDTracker(ids: t.ids, versions: t.versions).write()
        let again = try bytes(written.mappings) { mm in try bytes(written.versions) { vv in try MutableIDTracker.read(validating: mm, versions: vv, pointCount: 5) } }
        #expect(again == t)
        #expect(throws: SegmentFormatError.self) { try bytes([7, 0, 0]) { mm in try MutableIDTracker.read(validating: mm, versions: mm) } }
        var far: [UInt8] = [1]
        SegmentBytes.le(UInt64(1), into: &far)
        SegmentBytes.le(UInt32.max, into: &far)
        #expect(throws: SegmentFormatError.self) { try bytes(far) { mm in try MutableIDTracker.read(validating: mm, versions: mm) } }
    }

    // MARK: vectors

    @Test func denseMatrixFileChecksItsShape() throws {
        var m = DenseMatrixFile.matrixHeader()
        for x: Float in [1, 2, 3, 4, 5, 6] { SegmentBytes.le(x.bitPattern, into: &m) }
        #expect(try bytes(m) { try DenseMatrixFile.count(validatingMatrix: $0, dim: 3) } == 2)
        #expect(throws: SegmentFormatError.self) { try bytes(m) { try DenseMatrixFile.count(validatingMatrix: $0, dim: 4) } }
        #expect(throws: SegmentFormatError.self) { try bytes(Array("atad".utf8) + m.dropFirst(4)) { try DenseMatrixFile.count(validatingMatrix: $0, dim: 3) } }
        let flags = (0..<70).map { $0 % 3 == 0 }
        let d = DenseMatrixFile.writeDeleted(flags)
        #expect(Array(d[0..<8]) == Array("drop".utf8) + [0, 0, 0, 0] && d.count == 8 + 16)
        #expect(try bytes(d) { try DenseMatrixFile.readDeleted(validating: $0, count: 70) } == flags)
        #expect(throws: SegmentFormatError.self) { try bytes(d) { try DenseMatrixFile.readDeleted(validating: $0, count: 200) } }
    }

    @Test func chunkedVectorsRoundTripWithPreallocatedChunks() throws {
        let floats: [Float] = (0..<(5 * 3)).map(Float.init)
        let vdir = dir.path + "/vectors"
        try floats.withUnsafeBufferPointer { try ChunkedVectors.write($0, count: 5, dim: 3, to: vdir) }
        #expect(try FileIO.size(vdir + "/chunk_0.mmap") == ChunkedVectors.config(dim: 3).chunk_size_bytes)
        let cfg = String(decoding: try FileIO.readAll(vdir + "/config.json"), as: UTF8.self)
        #expect(cfg.contains(#""chunk_size_vectors":2796202"#) && cfg.contains(#""dim":3"#))
        let (n, back) = try ChunkedVectors.read(dir: vdir, dim: 3, relative: "vector_storage/vectors")
        #expect(n == 5 && back == floats)
        #expect(throws: SegmentFormatError.self) { try ChunkedVectors.read(dir: vdir, dim: 4, relative: "v") }
        truncate(vdir + "/chunk_0.mmap", 10)
        let e = #expect(throws: SegmentFormatError.self) { try ChunkedVectors.read(dir: vdir, dim: 3, relative: "vector_storage/vectors") }
        #expect(e?.file == "vector_storage/vectors/chunk_0.mmap")
    }

    @Test func dynamicStoredFlagsRoundTrip() throws {
        let flags = (0..<1000).map { $0 % 7 == 0 }
        try DynamicStoredFlags.write(flags, to: dir.path + "/deleted")
        #expect(try FileIO.size(dir.path + "/deleted/flags_a.dat") == 1 << 20)
        #expect(try FileIO.size(dir.path + "/deleted/status.dat") == 16)
        #expect(try DynamicStoredFlags.read(dir: dir.path + "/deleted", relative: "deleted") == flags)
    }

    // MARK: gridstore

    static let tiny = Gridstore.Config(mode: "mutable", page_size_bytes: 256, block_size_bytes: 16, region_size_blocks: 8, compression: .lz4)

    @Test func gridstoreRoundTripsAcrossPages() throws {
        for compression in [Gridstore.Compression.lz4, .none] {
            var config = Self.tiny
            config.compression = compression
            let values: [[UInt8]?] = (0..<12).map { i in i % 4 == 3 ? nil : Array(String(repeating: "x\(i)", count: i * 7 + 1).utf8) }
            let g = dir.path + "/g-\(compression.rawValue)"
            try Gridstore.write(values, to: g, config: config)
            #expect(try Gridstore.read(dir: g, count: 12) == values)
            #expect(try Gridstore.read(dir: g, count: 20) == values + [[UInt8]?](repeating: nil, count: 8))
            #expect(try FileIO.size(g + "/page_0.dat") == 256)
            #expect(try FileIO.size(g + "/tracker.dat") == 1 << 20)
        }
    }

    @Test func gridstoreGapsMatchTheBitmask() throws {
        // 3 blocks used of a 2-region page of 16 blocks: region 0 = 3 used + 5 free, region 1 free.
        let g = dir.path + "/g"
        try Gridstore.write([Array(repeating: 1, count: 40)], to: g, config: { var c = Self.tiny; c.compression = Gridstore.Compression.none; return c }())
        #expect(try FileIO.readAll(g + "/bitmask.dat") == [0b111, 0])
        #expect(try FileIO.readAll(g + "/gaps.dat") == [5, 0, 0, 0, 5, 0, 8, 0, 8, 0, 8, 0])
        let standard = String(decoding: try [UInt8].json(Gridstore.Config.standard), as: UTF8.self)
        #expect(standard == #"{"block_size_bytes":128,"compression":"LZ4","mode":"mutable","page_size_bytes":33554432,"region_size_blocks":8192}"#)
    }

    @Test func gridstoreRefusesHostileFiles() throws {
        let g = dir.path + "/g"
        try Gridstore.write([Array("{\"a\":1}".utf8), Array("{}".utf8)], to: g, config: Self.tiny)
        let tracker = try FileIO.readAll(g + "/tracker.dat")
        func withSlot(_ i: Int, _ words: [UInt32]) throws {
            var t = tracker
            for (k, w) in words.enumerated() { withUnsafeBytes(of: w.littleEndian) { t.replaceSubrange((4 + 16 * i + 4 * k)..<(8 + 16 * i + 4 * k), with: $0) } }
            try SegmentFiles.write(g + "/tracker.dat", t)
        }
        try withSlot(0, [1, 9, 0, 10])  // page 9 of 1
        #expect(throws: SegmentFormatError.self) { try Gridstore.read(dir: g, count: 2) }
        try withSlot(0, [1, 0, 15, 4096])  // runs past the last page
        #expect(throws: SegmentFormatError.self) { try Gridstore.read(dir: g, count: 2) }
        try withSlot(0, [3, 0, 0, 4])  // a tag that is neither none nor some
        #expect(throws: SegmentFormatError.self) { try Gridstore.read(dir: g, count: 2) }
        try SegmentFiles.write(g + "/tracker.dat", tracker)
        var page = try FileIO.readAll(g + "/page_0.dat")
        page.replaceSubrange(0..<4, with: [0xFF, 0xFF, 0xFF, 0x7F])  // declares 2 GiB from a few bytes
        try SegmentFiles.write(g + "/page_0.dat", page)
        let e = #expect(throws: SegmentFormatError.self) { try Gridstore.read(dir: g, count: 2) }
        #expect(e?.message.contains("declares") == true)
        truncate(g + "/page_0.dat", 8)
        #expect(throws: SegmentFormatError.self) { try Gridstore.read(dir: g, count: 2) }
        try SegmentFiles.write(g + "/config.json", Array(#"{"page_size_bytes":100,"block_size_bytes":16,"region_size_blocks":8}"#.utf8))
        #expect(throws: SegmentFormatError.self) { try Gridstore.read(dir: g, count: 2) }
    }

    // MARK: payload index config, payload JSON

    @Test func payloadIndexConfigAndPayloadJSON() throws {
        let c = PayloadIndexConfig(indexedFields: ["city": .string("keyword"), "n": .object(["type": .string("integer"), "range": .bool(true)])])
        #expect(String(decoding: try c.write(), as: UTF8.self) == #"{"indexed_fields":{"city":"keyword","n":{"range":true,"type":"integer"}}}"#)
        let qdrants = #"{"indexed_fields":{"n":"integer","city":"keyword"},"indexed_types":{"city":[{"index_type":"keyword_index"}]}}"#
        #expect(try PayloadIndexConfig.read(validating: Array(qdrants.utf8)).fieldTypes == ["n": "integer", "city": "keyword"])
        #expect(throws: SegmentFormatError.self) { try PayloadIndexConfig.read(validating: Array(#"{"indexed_fields":{"a":5}}"#.utf8)) }
        let p: Payload = ["s": .string("a\"b\\\n\u{1}é"), "i": .int(-3), "u": .uint(UInt64.max), "d": .double(2), "e": .double(1e-7),
                          "a": .array([.null, .bool(true)]), "o": .object(["x": .double(0.1)])]
        let json = PayloadJSON.encode(p)
        #expect(try PayloadJSON.decode(json, slot: 0) == p)
        #expect(String(decoding: json, as: UTF8.self).contains(#""d":2.0"#))
    }
}
