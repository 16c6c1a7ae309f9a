import Foundation
import Testing
@testable import Engine

/// Dense vector datatypes (`float16`, `uint8`): Qdrant's conversions, the element sizes of the
/// segment files and their checks, uint8 Cosine (unnormalized) in the exact scan and the HNSW
/// scorer, and a collection sealed, reloaded and reopened from its WAL.
@Suite struct VectorDatatypeTests {
    let dir = TempDir()

    @Test func conversionsAreQdrants() {
        // Rust `x as u8`: toward zero, saturating, NaN → 0.
        #expect([3.9, -0.5, -7, 255.9, 256, 1e9, .nan, 0.99].map { VectorDatatype.uint8.convert($0) } == [3, 0, 0, 255, 255, 255, 0, 0])
        // `half`'s f16::from_f32: round to nearest even; past 65504 is inf.
        let h = VectorDatatype.float16
        #expect(h.convert(1.0) == 1.0)
        #expect(h.convert(1 + 1.0 / 2048) == 1.0)  // exactly half an ulp (2⁻¹⁰) above 1: to even (1.0)
        #expect(h.convert(1 + 3.0 / 2048) == 1 + 1.0 / 512)  // half an ulp above an odd mantissa: up to even
        #expect(h.convert(0.1) == Float(Float16(0.1)) && h.convert(0.1) != 0.1)
        #expect(h.convert(70000) == .infinity)
        #expect(VectorDatatype.float32.convert(0.1) == 0.1)
    }

    @Test func prepareNormalizesCosineExceptForUint8() {
        var p = VectorParams(size: 2, distance: .cosine)
        #expect(p.prepare([3, 4]) == [0.6, 0.8])
        p.datatype = .float16
        #expect(p.prepare([3, 4]) == [Float(Float16(0.6)), Float(Float16(0.8))])
        p.datatype = .uint8
        #expect(p.prepare([3.5, 400]) == [3, 255])
        #expect(p.rawCosine)
        p.distance = .dot
        #expect(!p.rawCosine)
    }

    @Test func elementsRoundTripInTheirSizes() {
        let floats: [Float] = [0, 1, 2.5, 255, -3.25, 65504]
        for dt in VectorDatatype.allCases {
            let stored = floats.map(dt.convert)
            let bytes = stored.withUnsafeBufferPointer { dt.encode($0) }
            #expect(bytes.count == floats.count * dt.elementSize)
            #expect(bytes.withUnsafeBytes { dt.decode($0, count: floats.count) } == stored)
        }
        // f16 little-endian: 1.0 is 0x3C00.
        #expect([Float(1)].withUnsafeBufferPointer { VectorDatatype.float16.encode($0) } == [0x00, 0x3C])
    }

    @Test func matrixSizesAreCheckedPerElementSize() throws {
        let m: [UInt8] = Array("data".utf8) + [UInt8](repeating: 1, count: 12)
        func count(_ dim: Int, _ size: Int) throws -> Int {
            try m.withUnsafeBytes { try DenseMatrixFile.count(validatingMatrix: $0, dim: dim, elementSize: size) }
        }
        #expect(try count(3, 2) == 2)
        #expect(try count(3, 1) == 4)
        #expect(throws: SegmentFormatError.self) { try count(5, 2) }
        #expect(throws: SegmentFormatError.self) { try count(2, 4) }
        // A matrix.dat one element short of what was validated is refused, not read past.
        let path = dir.path + "/matrix.dat"
        try Data(m).write(to: URL(fileURLWithPath: path))
        let mapped = try MappedFile(path: path)
        #expect(throws: StorageError.self) { try FloatColumn(matrix: path, mapped: mapped, datatype: .float16, floats: 7) }
        let col = try FloatColumn(matrix: path, mapped: mapped, datatype: .uint8, floats: 12)
        #expect(col.count == 12 && col[0..<2] == [1, 1])
    }

    @Test func chunkedVectorsInElementSizes() throws {
        let floats: [Float] = (0..<15).map { Float($0) * 3 }
        let vdir = dir.path + "/vectors"
        try floats.withUnsafeBufferPointer { try ChunkedVectors.write($0, count: 5, dim: 3, to: vdir, datatype: .uint8) }
        let cfg = try JSONDecoder().decode(ChunkedVectors.Config.self, from: Data(contentsOf: URL(fileURLWithPath: vdir + "/config.json")))
        #expect(cfg.chunk_size_bytes == cfg.chunk_size_vectors * 3)
        let (n, back) = try ChunkedVectors.read(dir: vdir, dim: 3, relative: "v", datatype: .uint8)
        #expect(n == 5 && back == floats)
        // Read as f16, the same chunk is too short for 5 vectors' worth of 2-byte elements.
        #expect(throws: SegmentFormatError.self) { try ChunkedVectors.read(dir: vdir, dim: 3, relative: "v", datatype: .float16) }
    }

    static func rawCosine(_ a: [Float], _ b: [Float]) -> Float {
        let d = zip(a, b).map(*).reduce(0, +), na = a.map { $0 * $0 }.reduce(0, +), nb = b.map { $0 * $0 }.reduce(0, +)
        return na == 0 || nb == 0 ? 0 : d / (na * nb).squareRoot()
    }

    @Test func uint8CosineInTheHNSWScorerAndGraph() {
        var rng = SystemRandomNumberGenerator()
        let dim = 24, n = 600
        let floats = (0..<(n * dim)).map { _ in Float(UInt8.random(in: 0...255, using: &rng)) }
        floats.withUnsafeBufferPointer { buf in
            let scorer = DenseScorer(base: buf.baseAddress!, dim: dim, count: n, distance: .cosine, rawCosine: true)
            let vec = { (i: Int) in Array(buf[(i * dim)..<(i * dim + dim)]) }
            #expect(abs(scorer.score(scorer.query(ofPoint: 1), 2) - Self.rawCosine(vec(1), vec(2))) < 1e-6)
            let zero = [Float](repeating: 0, count: dim)
            #expect(zero.withUnsafeBufferPointer { scorer.score($0.baseAddress!, 3) } == 0)
            let graph = HNSWBuilder(scorer: scorer, params: HNSWParameters(threads: 1)).build()
            var hits = 0
            for qi in 0..<20 {
                let q = vec(qi * 7)
                let want = (0..<n).map { (Self.rawCosine(q, vec($0)), $0) }.sorted { $0.0 > $1.0 }.prefix(10).map(\.1)
                let got = q.withUnsafeBufferPointer { qp in
                    Segment.visitedPool.with(count: n) { graph.search(qp.baseAddress!, scorer: scorer, k: 10, ef: 64, visited: $0) { _ in true } }
                }
                hits += Set(got.map { Int($0.id) }).intersection(want).count
                #expect(abs(got[0].score - Self.rawCosine(q, vec(Int(got[0].id)))) < 1e-6)
            }
            #expect(Double(hits) / 200 >= 0.95)
        }
    }

    func storage(seal: Int = 1000) throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: seal), logger: testLogger)
    }

    @Test func collectionStoresConvertsSealsAndReloads() throws {
        var h = VectorParams(size: 3, distance: .euclid)
        h.datatype = .float16
        var b = VectorParams(size: 3, distance: .cosine)
        b.datatype = .uint8
        let config = CollectionConfig(params: CollectionParams(vectors: .named(["h": h, "b": b])))
        let inputs = (0..<40).map { i in
            PointInput(id: .number(UInt64(i)), vectors: ["h": [Float(i) * 0.1, 1.0 / 3, -2], "b": [Float(i) * 7.6, 3.3, Float(i % 3)]])
        }
        func check(_ c: Collection) throws {
            let r = try #require(c.retrieve([.number(39)], payload: .none, vectors: .all).first)
            #expect(r.vectors?["h"] == [Float(Float16(Float(39) * 0.1)), Float(Float16(1.0 / 3)), -2])
            #expect(r.vectors?["b"] == [255, 3, 0])
            let q: [Float] = [10.7, 3, 1]
            let got = try c.search(SearchRequest(vector: q, using: "b", limit: 40))
            let want = inputs.map { p -> (UInt64, Float) in
                guard case .number(let id) = p.id else { return (0, 0) }
                return (id, Self.rawCosine([10, 3, 1], b.prepare(p.vectors["b"]!)))
            }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            #expect(got.count == 40)
            for (g, w) in zip(got, want) { #expect(abs((g.score ?? 0) - w.1) < 1e-5) }
        }
        do {
            let s = try storage(seal: 16)
            try s.createCollection("c", config: config)
            try s.collection("c").upsert(inputs, wait: true)
            try check(try s.collection("c"))
            try s.close()
        }
        let s = try storage(seal: 16)
        let c = try s.collection("c")
        try check(c)
        #expect(c.config.params.vectors.params("b")?.datatype == .uint8)
        // The sealed files hold 1- and 2-byte elements.
        let files = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix("matrix.dat") }
        #expect(!files.isEmpty)
        for f in files {
            let size = try FileManager.default.attributesOfItem(atPath: dir.path + "/" + f)[.size] as! Int
            let width = f.contains("vector_storage-b/") ? 1 : 2
            #expect((size - 4) % (3 * width) == 0 && (size - 4) / (3 * width) <= 40, "\(f) \(size)")
        }
        try s.close()
    }
}
