import Foundation
import Testing
@testable import Engine

/// Qdrant's stored sparse vectors (`SparseVectorStorage`): golden bytes qdrant-edge 0.9.0 wrote,
/// round trips at every bit width, and refusal of damaged values.
@Suite struct SparseVectorStorageTests {
    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }

    /// One value of `vector_storage-s/store/page_0.dat` of an edge shard: indices [4, 7, 114],
    /// values [1, 7, 2] (packed in 8-bit deltas 4, 3, 107).
    static let edgeValue = hex("040000000000000000c1c01a03000000000000000000803f0000e04000000040")

    @Test func decodesWhatQdrantWrote() throws {
        let v = try SparseVectorStorage.decode(validating: Self.edgeValue)
        #expect(v == SparseVector(indices: [4, 7, 114], values: [1, 7, 2]))
        #expect(SparseVectorStorage.encode(v) == Self.edgeValue)
        // Qdrant sorts before storing; so does qdb.
        #expect(SparseVectorStorage.encode(SparseVector(indices: [114, 4, 7], values: [2, 1, 7])) == Self.edgeValue)
    }

    /// Every value qdrant-edge wrote for the fuzz seeds (deltas of 8 to 28 bits) decodes and
    /// encodes back to the same bytes.
    @Test func edgeSeedsRoundTrip() throws {
        let dir = FuzzCorpusTests.fixtures + "/fuzz/sparse-vector"
        let files = FileIO.listDirectory(dir).filter { $0.hasPrefix("edge-") }
        #expect(files.count >= 6)
        for f in files {
            let bytes = try FileIO.readAll(dir + "/" + f)
            let v = try SparseVectorStorage.decode(validating: bytes)
            #expect(v.indices.count == 3 && v.values == [1, 2.5, -0.5], "\(f)")
            #expect(SparseVectorStorage.encode(v) == bytes, "\(f)")
        }
    }

    @Test func roundTripsEveryWidth() throws {
        let cases: [[UInt32]] = [[], [0], [0, 1], [255], [256], [3, 70_000], [1, UInt32.max], Array(0..<300).map { $0 * 977 }]
        for indices in cases {
            let v = SparseVector(indices: indices, values: indices.map { Float($0 % 13) + 0.25 })
            #expect(try SparseVectorStorage.decode(validating: SparseVectorStorage.encode(v)) == v, "\(indices.prefix(4))")
        }
    }

    @Test func refusesDamagedValues() {
        let good = Self.edgeValue
        var longCount = good
        longCount[0] = 0xff  // indices length past the value
        var extraValue = good
        extraValue[12] = 4  // four values, three indices
        let bad: [[UInt8]] = [[], Array(good.dropLast()), good + [0], longCount, extraValue,
                              Self.hex("0100000000000000ff0000000000000000")]
        for b in bad {
            #expect(throws: SegmentFormatError.self, "\(b.count) bytes") { try SparseVectorStorage.decode(validating: b) }
        }
    }

    @Test func storageDirectoryRoundTrips() throws {
        let dir = TempDir()
        let column: [SparseVector?] = [SparseVector(indices: [1, 9], values: [0.5, 2]), nil, SparseVector(indices: [], values: [])]
        try SparseVectorStorage.write(column, count: 5, to: dir.path + "/vector_storage-s")
        let back = try SparseVectorStorage.read(dir: dir.path + "/vector_storage-s", relative: "vector_storage-s", count: 5)
        #expect(back == column + [nil, nil])
    }

    @Test func validationSpeaksQdrant() {
        #expect(throws: StorageError.self) { try SparseVector(indices: [1, 2], values: [1]).validate(at: "v") }
        #expect(throws: StorageError.self) { try SparseVector(indices: [2, 2], values: [1, 1]).validate(at: "v") }
        #expect(throws: Never.self) { try SparseVector(indices: [2, 1], values: [1, 1]).validate(at: "v") }
        #expect(SparseVector(indices: [1, 3], values: [2, 1]).dot(SparseVector(indices: [3, 4], values: [5, 1])) == 5)
        #expect(SparseVector(indices: [1], values: [2]).dot(SparseVector(indices: [3], values: [5])) == nil)
        // Qdrant's IDF: ln((n − df + 0.5) / (df + 0.5) + 1).
        #expect(abs(InverseDocumentFrequency.idf(documentFrequency: 1, documents: 1) - Float(log(4.0 / 3.0))) < 1e-6)
    }
}
