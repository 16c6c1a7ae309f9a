import Foundation
import Testing
@testable import Engine

/// Qdrant's persisted sparse index (`InvertedIndexFiles`, `BitPacker4x`): what a sealed segment
/// qdb writes holds, that loading reads it back instead of rebuilding, and that a damaged index
/// file is an error naming it, never a crash or a wrong answer.
@Suite struct InvertedIndexFilesTests {
    static let schema = SegmentSchema(names: ["d"], dims: [1], distances: [.dot]).withSparse([("s", SparseVectorParams())])
    static let sub = "vector_index-s"

    /// 300 points: dimension 1 in every third (two chunks and remainders), 7 in all but a few
    /// (chunks with gaps), 50 000 + i in each (one posting each); point 5 lacks the vector and
    /// point 9 is deleted before the seal.
    static func sealed(in dir: String, onDisk: Bool = false) throws -> Segment {
        let schema = onDisk ? SegmentSchema(names: ["d"], dims: [1], distances: [.dot])
            .withSparse([("s", SparseVectorParams(index: .init(on_disk: true)))]) : Self.schema
        let seg = Segment(id: "00000000-0000-4000-8000-0000000000aa", dims: [1])
        for i in 0..<300 {
            var idx: [UInt32] = [50_000 + UInt32(i)], val: [Float] = [Float(i) + 0.5]
            if i % 3 == 0 { idx.append(1); val.append(2) }
            if i % 11 != 4 { idx.append(7); val.append(Float(i % 13) / 4) }
            let v: SparseVector? = i == 5 ? nil : SparseVector(indices: idx, values: val)
            seg.append(id: .number(UInt64(i)), vectors: [[1]], payload: [:], version: UInt64(i + 1), sparse: [v], multi: [])
        }
        seg.markDeleted(9, version: 301)
        try seg.writeSealed(to: dir, version: 302, schema: schema)
        return seg
    }

    @Test func bitPackerRoundTripsEveryWidth() {
        for bits in 0...32 {
            // Increasing ids whose largest gap needs exactly `bits` bits (delta = gap − 1).
            var values: [UInt32] = [5]
            for k in 1..<128 {
                let d: UInt32 = k == 7 && bits > 0 ? UInt32(1) << UInt32(bits - 1) : (k % 3 == 0 && bits > 1 ? 1 : 0)
                values.append(values[k - 1] &+ 1 &+ d)
            }
            let initial: UInt32? = values[0] == 0 ? nil : values[0] - 1
            let b = BitPacker4x.bits(values[...], initial: initial)
            var bytes: [UInt8] = []
            BitPacker4x.pack(values[...], initial: initial, bits: b, into: &bytes)
            #expect(b == bits && bytes.count == BitPacker4x.blockSize(bits: b))
            var back = [UInt32](repeating: 0, count: 128)
            bytes.withUnsafeBytes { BitPacker4x.unpack($0, initial: initial, bits: b, into: &back) }
            #expect(back == values, "\(bits) bits")
        }
        // Consecutive ids need no bits at all; lane layout: delta 4i+j in lane j.
        #expect(BitPacker4x.bits(Array(UInt32(0)..<128)[...], initial: nil) == 0)
        var lanes: [UInt8] = []
        let ids = (0..<128).map { UInt32($0 * 2) }  // every delta 1 (2 − 1 − 0 … ), first 0
        BitPacker4x.pack(ids[...], initial: nil, bits: 1, into: &lanes)
        #expect(lanes == [0xfe, 0xff, 0xff, 0xff] + [UInt8](repeating: 0xff, count: 12))
    }

    /// Files qdrant-edge 0.9.0 wrote (`Tests/Fixtures/sparse-index-edge/`, 300 points whose
    /// vectors are in `points.txt`): qdb reads the same postings the storage implies, and encodes
    /// every posting list to the very bytes Qdrant wrote (packed id blocks, chunks, remainders).
    @Test func readsAndEncodesWhatQdrantWrote() throws {
        let dir = FuzzCorpusTests.fixtures + "/sparse-index-edge"
        let column: [SparseVector?] = String(decoding: try FileIO.readAll(dir + "/points.txt"), as: UTF8.self)
            .split(separator: "\n").map { line in
                let pairs = line.split(separator: " ").map { $0.split(separator: ":") }
                return SparseVector(indices: pairs.map { UInt32($0[0])! }, values: pairs.map { Float(String($0[1]))! })
            }
        #expect(column.count == 300)
        let postings = try InvertedIndexFiles.read(dir: dir, relative: Self.sub, pointCount: 300)!
        var problem = ""
        let index = InvertedIndex(checking: postings, column: column, deleted: [], problem: &problem)
        #expect(index != nil, "\(problem)")
        #expect(index?.vectorCount == 300 && postings[7]?.offsets.count == 300 && postings[50] != nil)
        let built = InvertedIndex(column)
        #expect(built.postings.count == postings.count)
        // Posting list by posting list, qdb's encoding is Qdrant's bytes.
        let data = try FileIO.readAll(dir + "/" + InvertedIndexFiles.dataFile)
        let tracker = try JSONDecoder().decode(InvertedIndexFiles.Tracker.self, from: Data(try FileIO.readAll(dir + "/" + InvertedIndexFiles.trackerFile)))
        let n = tracker.map.count
        for (key, off) in tracker.map {
            let i = Int(off)
            let start = Int(data.withUnsafeBytes { SegmentBytes.u64($0, i * 24)! })
            let end = i + 1 < n ? Int(data.withUnsafeBytes { SegmentBytes.u64($0, (i + 1) * 24)! }) : data.count
            var mine: [UInt8] = []
            let (idsLen, chunks) = InvertedIndexFiles.encode(built.postings[UInt32(key)!]!, into: &mine)
            #expect(mine == Array(data[start..<end]), "dimension \(key)")
            #expect(data.withUnsafeBytes { (SegmentBytes.u32($0, i * 24 + 12)!, SegmentBytes.u32($0, i * 24 + 16)!) } == (UInt32(idsLen), UInt32(chunks)))
        }
    }

    @Test func sealedSegmentPersistsAndReadsTheIndex() throws {
        let tmp = TempDir()
        let seg = try Self.sealed(in: tmp.path)
        let dir = tmp.path + "/" + seg.id
        for f in InvertedIndexFiles.files { #expect(FileIO.exists(dir + "/" + Self.sub + "/" + f), "\(f)") }
        let json = String(decoding: try FileIO.readAll(dir + "/segment.json"), as: UTF8.self)
        #expect(json.contains("\"ImmutableRam\"") && !json.contains("MutableRam"))
        #expect(String(decoding: try FileIO.readAll(dir + "/" + Self.sub + "/version.info"), as: UTF8.self) == "0.2.0")
        let header = try JSONDecoder().decode(InvertedIndexFiles.FileHeader.self, from: Data(try FileIO.readAll(dir + "/" + Self.sub + "/inverted_index_config.json")))
        #expect(header.posting_count == 2 + 298 && header.vector_count == 298)  // points 5 and 9 are not posted
        #expect(try FileIO.size(dir + "/" + Self.sub + "/inverted_index.dat") == 300 * 24 + header.total_sparse_size!)

        let back = try Segment.load(from: dir, schema: Self.schema)
        #expect(back.sparseIndexPersisted)
        let built = InvertedIndex(seg.sparse[0], excluding: (0..<300).map { $0 == 9 })
        #expect(back.sparseIndex.count == 1)
        let read = back.sparseIndex[0]
        #expect(read.postings.count == built.postings.count)
        for (d, p) in built.postings {
            #expect(read.postings[d]?.offsets == p.offsets && read.postings[d]?.weights == p.weights, "dimension \(d)")
        }
        #expect(read.postings[1]?.offsets.count == 99 && (read.postings[7]?.offsets.count ?? 0) > 2 * 128)
        // The files are the ones searched: a segment's inverted index answers from them.
        var scores = [Float](repeating: 0, count: back.count), touched = [Bool](repeating: false, count: back.count)
        read.accumulate(SparseVector(indices: [1, 50_003], values: [1, 1]), scores: &scores, touched: &touched)
        #expect(scores[3] == 2 + 3.5 && scores[6] == 2 && !touched[5] && !touched[9] && touched[12])
    }

    @Test func onDiskDeclaresMmap() throws {
        let tmp = TempDir()
        let seg = try Self.sealed(in: tmp.path, onDisk: true)
        let json = String(decoding: try FileIO.readAll(tmp.path + "/" + seg.id + "/segment.json"), as: UTF8.self)
        #expect(json.contains("\"Mmap\""))
        let cfg = String(decoding: try FileIO.readAll(tmp.path + "/" + seg.id + "/" + Self.sub + "/sparse_index_config.json"), as: UTF8.self)
        #expect(cfg.contains("\"Mmap\""))
    }

    /// A segment whose index files are damaged: truncated, a header, an id or a weight flipped,
    /// the tracker or header garbled. Each load fails with an error naming the file.
    @Test func damagedIndexFilesAreClearErrors() throws {
        let tmp = TempDir()
        let seg = try Self.sealed(in: tmp.path)
        let dir = tmp.path + "/" + seg.id
        let data = dir + "/" + Self.sub + "/" + InvertedIndexFiles.dataFile
        let original = try FileIO.readAll(data)
        let size = original.count
        var cases: [(String, String, (inout [UInt8]) -> Void)] = [
            ("truncated", InvertedIndexFiles.dataFile, { $0.removeLast(5) }),
            ("cut to the headers", InvertedIndexFiles.dataFile, { $0.removeLast($0.count - 100) }),
            ("empty", InvertedIndexFiles.dataFile, { $0 = [] }),
            ("ids_start", InvertedIndexFiles.dataFile, { $0[24 * 3 + 2] ^= 0x40 }),
            ("ids_len", InvertedIndexFiles.dataFile, { $0[24 * 2 + 12] ^= 0x10 }),
            ("chunks_count", InvertedIndexFiles.dataFile, { $0[24 * 1 + 16] ^= 0x01 }),
            ("a weight", InvertedIndexFiles.dataFile, { $0[size - 1] ^= 0x01 }),
            ("a remainder id", InvertedIndexFiles.dataFile, { $0[size - 8] ^= 0x02 }),
        ]
        // A flip in the packed ids of posting list 1 (dimension 7: 270 postings, chunked).
        let idsStart = Int(original.withUnsafeBytes { SegmentBytes.u64($0, 24 * 1)! })
        cases.append(("packed ids", InvertedIndexFiles.dataFile, { $0[idsStart + 3] ^= 0x08 }))
        for (what, file, damage) in cases {
            var bytes = original
            damage(&bytes)
            try Segment.writeFile(data, bytes)
            defer { try? Segment.writeFile(data, original) }
            let e = #expect(throws: StorageError.self, "\(what)") { try Segment.load(from: dir, schema: Self.schema) }
            #expect(e?.message.contains(Self.sub + "/" + file) == true, "\(what): \(e?.message ?? "")")
        }
        let garbled: [(String, [UInt8])] = [
            (InvertedIndexFiles.headerFile, Array("{\"posting_count\":99999999,\"vector_count\":1}".utf8)),
            (InvertedIndexFiles.headerFile, Array("{\"posting_count\":".utf8)),
            (InvertedIndexFiles.trackerFile, Array("{\"map\":{\"1\":99999}}".utf8)),
            (InvertedIndexFiles.trackerFile, Array("{\"map\":{\"x\":0}}".utf8)),
            (InvertedIndexFiles.trackerFile, Array("{\"map\":{\"1\":0,\"7\":0}}".utf8)),
            (InvertedIndexFiles.configFile, Array("[".utf8)),
        ]
        for (file, bad) in garbled {
            let path = dir + "/" + Self.sub + "/" + file
            let saved = try FileIO.readAll(path)
            try Segment.writeFile(path, bad)
            defer { try? Segment.writeFile(path, saved) }
            let e = #expect(throws: StorageError.self, "\(file)") { try Segment.load(from: dir, schema: Self.schema) }
            #expect(e?.message.contains(Self.sub + "/") == true, "\(file): \(e?.message ?? "")")
        }
        #expect(throws: Never.self) { try Segment.load(from: dir, schema: Self.schema) }
    }

    /// float16/uint8 index weights are not persisted by qdb: such a segment declares `MutableRam`
    /// (no index files), reads back and builds its index from the f32 storage. (A sealed segment
    /// with them was once unreadable: "qdb reads float32 only".)
    @Test func nonFloat32IndexWeightsStayMutableRam() throws {
        for dt in ["float16", "uint8"] {
            let tmp = TempDir()
            let schema = SegmentSchema(names: ["d"], dims: [1], distances: [.dot])
                .withSparse([("s", SparseVectorParams(index: .init(datatype: dt)))])
            let seg = Segment(id: "00000000-0000-4000-8000-0000000000ab", dims: [1])
            seg.append(id: .number(1), vectors: [[1]], payload: [:], version: 1, sparse: [SparseVector(indices: [3], values: [0.5])], multi: [])
            try seg.writeSealed(to: tmp.path, version: 2, schema: schema)
            let dir = tmp.path + "/" + seg.id
            let json = String(decoding: try FileIO.readAll(dir + "/segment.json"), as: UTF8.self)
            #expect(json.contains("MutableRam") && json.contains(dt) && !FileIO.exists(dir + "/" + Self.sub))
            let back = try Segment.load(from: dir, schema: schema)
            #expect(!back.sparseIndexPersisted && back.sparseIndex[0].postings[3]?.weights == [0.5])
        }
    }

    /// As Qdrant does, an index without its `version.info` (an interrupted build) is rebuilt:
    /// the segment is rewritten with fresh files.
    @Test func missingVersionRebuilds() throws {
        let tmp = TempDir()
        let seg = try Self.sealed(in: tmp.path)
        let dir = tmp.path + "/" + seg.id
        try FileManager.default.removeItem(atPath: dir + "/" + Self.sub + "/version.info")
        try Segment.writeFile(dir + "/" + Self.sub + "/inverted_index.dat", [1, 2, 3])
        let back = try Segment.load(from: dir, schema: Self.schema)
        #expect(back.sparseIndexPersisted && back.sparseIndex[0].postings.count == 300)
        #expect(FileIO.exists(dir + "/" + Self.sub + "/version.info"))
        #expect(throws: Never.self) { try Segment.load(from: dir, schema: Self.schema) }
    }
}
