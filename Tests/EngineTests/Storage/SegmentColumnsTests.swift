import Foundation
import Testing
@testable import Engine

/// Sealed segments as loaded from disk: vectors mapped (not copied), payloads structure-checked
/// at load and decoded on first use, and damage to either refused at load.
@Suite struct SegmentColumnsTests {
    /// A sealed segment of `n` points in `dir`/segments, written as a shard seals one.
    func sealedSegment(_ dir: TempDir, n: Int = 300) throws -> (Segment, String) {
        let seg = Segment(dims: [3, 2])
        for i in 0..<n {
            let payload: Payload = i % 5 == 0 ? [:] : [
                "i": .int(Int64(i)), "tag": .string("t\(i % 4)"), "nested": .object(["a": .array([.double(0.5), .null, .bool(true)])]),
            ]
            seg.append(id: i % 2 == 0 ? .number(UInt64(i)) : .uuid(UUID()), vectors: [[Float(i), 1, -1], i % 3 == 0 ? nil : [2, Float(i)]],
                       payload: payload, version: UInt64(i + 1))
        }
        let segmentsDir = dir.path + "/segments"
        try FileIO.makeDirectories(segmentsDir)
        try seg.writeSealed(to: segmentsDir, version: UInt64(n))
        return (seg, segmentsDir + "/" + seg.id)
    }

    @Test func loadedSegmentMatchesWhatWasWritten() throws {
        let dir = TempDir()
        let (seg, path) = try sealedSegment(dir)
        let loaded = try Segment.load(from: path)
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

    @Test func mappedVectorsOutliveTheirFiles() throws {
        // A restore over a collection unlinks the old segment files while the old segments may
        // still be read: the mapping keeps the data.
        let dir = TempDir()
        let (seg, path) = try sealedSegment(dir, n: 50)
        let loaded = try Segment.load(from: path)
        FileIO.removeTree(path)
        #expect(!FileIO.exists(path))
        for off in [0, 17, 49] { #expect(loaded.vectors(at: off) == seg.vectors(at: off)) }
        #expect(loaded.payloads[17] == seg.payloads[17])
    }

    @Test func vectorsFileOfTheWrongSizeIsRefusedAtLoad() throws {
        let dir = TempDir()
        let (_, path) = try sealedSegment(dir, n: 40)
        let file = path + "/" + Segment.vectorFile(0)
        let bytes = try FileIO.readAll(file)
        try FileIO.writeAtomically(bytes.dropLast(4), to: file)
        #expect(throws: StorageError.self) { try Segment.load(from: path) }
    }

    @Test func damagedPayloadFileIsRefusedAtLoad() throws {
        let dir = TempDir()
        let (_, path) = try sealedSegment(dir, n: 40)
        let file = path + "/payloads.bin"
        let good = try FileIO.readAll(file)
        for damaged in [Array(good.dropLast(3)), good + [0], [UInt8](repeating: 0xff, count: good.count)] {
            try FileIO.writeAtomically(damaged, to: file)
            let error = #expect(throws: StorageError.self) { try Segment.load(from: path) }
            #expect(error?.code == .corrupt)
        }
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
