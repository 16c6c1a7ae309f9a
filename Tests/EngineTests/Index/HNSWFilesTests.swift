import Foundation
import Testing
@testable import Engine

/// The index files against ones qdrant-edge 0.9.0 wrote (`Tests/Fixtures/hnsw-edge/`: a 1200 ×
/// 16-d Cosine segment built with `indexing_threshold` 1), and round trips of qdb's own.
@Suite struct HNSWFilesTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/hnsw-edge").path

    func bytes(_ f: String) throws -> [UInt8] { try FileIO.readAll(Self.fixture + "/" + f) }

    @Test func edgeGraphDecodesAndReencodesByteForByte() throws {
        let (g, config) = try HNSWIndexFiles.read(dir: Self.fixture, relative: "vector_index", pointCount: 1200)
        #expect(g.m == 16 && g.m0 == 32 && g.efConstruct == 100 && g.pointCount == 1200)
        #expect(config?.full_scan_threshold == 160000 && config?.indexed_vector_count == 1200)
        #expect(HNSWGraphLinks.writeCompressed(g) == (try bytes(HNSWGraphLinks.compressedFile)))
        #expect(GraphLayerData(g).write() == (try bytes(GraphLayerData.fileName)))
        #expect(config?.write() == (try bytes(HnswGraphConfig.fileName)))
    }

    @Test func edgeGraphIsSearchedAtFullRecall() throws {
        let (g, _) = try HNSWIndexFiles.read(dir: Self.fixture, relative: "vector_index", pointCount: 1200)
        let matrix = try bytes("matrix.dat")
        let floats: [Float] = matrix.withUnsafeBytes { raw in (0..<(1200 * 16)).map { raw.loadUnaligned(fromByteOffset: 4 + $0 * 4, as: Float.self) } }
        var rng = SplitMix64(seed: 3)
        let queries = (0..<50).map { _ in Distance.cosine.preprocess((0..<16).map { _ in Float(rng.nextUnit() * 2 - 1) + floats[Int(rng.next() % 1200) * 16] }) }
        let visited = VisitedList(count: 1200)
        var found: [[Int]] = [], truth: [[Int]] = []
        floats.withUnsafeBufferPointer { fp in
            let s = DenseScorer(base: fp.baseAddress!, dim: 16, count: 1200, distance: .cosine)
            for q in queries {
                q.withUnsafeBufferPointer { qp in
                    visited.reset()
                    found.append(g.search(qp.baseAddress!, scorer: s, k: 10, ef: 100, visited: visited) { _ in true }.map { Int($0.id) })
                    truth.append((0..<1200).sorted { s.score(qp.baseAddress!, $0) > s.score(qp.baseAddress!, $1) }.prefix(10).map { $0 })
                }
            }
        }
        #expect(recall(found, truth) >= 0.95)
    }

    @Test func qdbGraphRoundTripsThroughBothLinkFormats() throws {
        let d = ClusteredData(count: 700, dim: 8, clusters: 7, queries: 1, distance: .euclid)
        let g = d.withScorer { HNSWBuilder(scorer: $0, params: HNSWParameters(threads: 1)).build() }
        for bytes in [HNSWGraphLinks.writeCompressed(g), HNSWGraphLinks.writePlain(g)] {
            let l = try bytes.withUnsafeBytes { try HNSWGraphLinks.read(validating: $0, file: "links") }
            #expect(l.pointCount == 700 && l.levelOffsets == g.levelOffsets && l.reindex == g.reindex)
            for p in 0..<700 {
                for level in 0...g.level(of: p) {
                    let s = level == 0 ? p : l.levelOffsets[level] + Int(l.reindex[p])
                    #expect(Set(l.neighbors[l.offsets[s]..<l.offsets[s + 1]]) == Set(g.links(p, level)))
                }
            }
        }
        let data = GraphLayerData(g)
        #expect(try data.write().withUnsafeBytes { try GraphLayerData.read(validating: $0, pointCount: 700) } == data)
    }

    @Test func hostileLinksAreRefusedNamingTheFile() throws {
        var b = try bytes(HNSWGraphLinks.compressedFile)
        // A point count the file cannot hold.
        var big = b
        big.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0])
        #expect(throws: SegmentFormatError.self) { try big.withUnsafeBytes { try HNSWGraphLinks.read(validating: $0, file: "links_compressed.bin") } }
        // Truncated.
        let short = Array(b.prefix(b.count - 100))
        #expect(throws: SegmentFormatError.self) { try short.withUnsafeBytes { try HNSWGraphLinks.read(validating: $0, file: "links_compressed.bin") } }
        // Bit-flips anywhere must throw or decode to an in-range graph, never trap.
        var rng = SplitMix64(seed: 9)
        for _ in 0..<300 {
            var c = b
            let i = Int(rng.next() % UInt64(c.count))
            c[i] ^= UInt8(1 << (rng.next() % 8))
            if let l = try? c.withUnsafeBytes({ try HNSWGraphLinks.read(validating: $0, file: "x") }) {
                #expect(l.neighbors.allSatisfy { Int($0) < l.pointCount })
            }
        }
        b[8] = 0x02; b[9...15] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        do {
            _ = try b.withUnsafeBytes { try HNSWGraphLinks.read(validating: $0, file: "links_comp_vec.bin") }
            Issue.record("a CompressedWithVectors header was accepted")
        } catch let e as SegmentFormatError {
            #expect(e.code == .unsupported && e.file == "links_comp_vec.bin")
        }
        let g = try bytes(GraphLayerData.fileName)
        #expect(throws: SegmentFormatError.self) { try g.withUnsafeBytes { try GraphLayerData.read(validating: $0, pointCount: 10) } }
        #expect(throws: SegmentFormatError.self) { try Array(g.prefix(40)).withUnsafeBytes { try GraphLayerData.read(validating: $0) } }
    }
}
