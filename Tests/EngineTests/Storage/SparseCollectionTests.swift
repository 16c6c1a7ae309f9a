import Foundation
import Testing
@testable import Engine

/// Sparse vectors through a collection: WAL replay (kind 7 beside the old kinds), sealing into
/// Qdrant's files and loading them back, exact search before and after.
@Suite struct SparseCollectionTests {
    let dir = TempDir()

    func storage(seal: Int = 1000) throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: seal), logger: testLogger)
    }

    static func config() -> CollectionConfig {
        var params = CollectionParams(vectors: .named(["d": .init(size: 2, distance: .dot)]))
        params.sparse_vectors = ["s": SparseVectorParams(), "t": SparseVectorParams(modifier: "idf")]
        return CollectionConfig(params: params)
    }

    static func points() -> [PointInput] {
        (0..<30).map { i in
            var sparse: [String: SparseVector] = [:]
            if i % 3 != 0 { sparse["s"] = SparseVector(indices: [UInt32(i % 5), 10 + UInt32(i)], values: [1, Float(i) / 10]) }
            if i % 2 == 0 { sparse["t"] = SparseVector(indices: [UInt32(i % 4)], values: [2]) }
            return PointInput(id: .number(UInt64(i)), vectors: i % 4 == 0 ? [:] : ["d": [Float(i), 1]], sparse: sparse)
        }
    }

    /// Brute force over the inputs: dot over shared indices, points sharing none left out.
    static func expected(_ q: SparseVector, _ name: String, live: [PointInput], idf: Bool) -> [(UInt64, Float)] {
        let withVector = live.compactMap { p in p.sparse[name].map { (p.id, $0) } }
        var query = q
        if idf {
            for (i, d) in q.indices.enumerated() {
                let df = withVector.filter { $0.1.indices.contains(d) }.count
                query.values[i] *= InverseDocumentFrequency.idf(documentFrequency: df, documents: withVector.count)
            }
        }
        return withVector.compactMap { id, v -> (UInt64, Float)? in
            guard case .number(let n) = id, let s = query.sorted().dot(v.sorted()) else { return nil }
            return (n, s)
        }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    func check(_ c: Collection, live: [PointInput]) throws {
        for (name, idf) in [("s", false), ("t", true)] {
            for q in [SparseVector(indices: [1, 12], values: [1, 2]), SparseVector(indices: [0, 2, 3], values: [0.5, 1, 1])] {
                let slot = try #require(c.sparseSlot(named: name))
                let got = try c.searchSparse(q, slot: slot, filter: nil, limit: 50, offset: 0, threshold: nil)
                let want = Self.expected(q, name, live: live, idf: idf)
                #expect(got.map { $0.point.id } == want.map { .number($0.0) }, "\(name) \(q.indices)")
                for (g, w) in zip(got, want) { #expect(abs(g.score - w.1) < 1e-5) }
            }
        }
        let r = c.retrieve([.number(1), .number(3), .number(4)], payload: .none, vectors: .all)
        #expect(r.map { $0.sparseVectors?["s"] } == [live.first { $0.id == .number(1) }?.sparse["s"], nil, live.first { $0.id == .number(4) }?.sparse["s"]])
        let has = c.count(filter: Filter(must: [.hasVector("t", slot: -1)]))
        #expect(has == live.filter { $0.sparse["t"] != nil }.count)
    }

    @Test func searchIsExactInTheWALTheFilesAndAfterReload() throws {
        var live = Self.points()
        do {
            let s = try storage()
            try s.createCollection("c", config: Self.config())
            let c = try s.collection("c")
            try c.upsert(live, wait: true)
            try c.delete(.ids([.number(5), .number(6)]), wait: true)
            live.removeAll { $0.id == .number(5) || $0.id == .number(6) }
            try check(c, live: live)
        }
        // Reopened without a clean close: the WAL (kind 7 records) replays.
        do {
            let s = try storage()
            let c = try s.collection("c")
            try check(c, live: live)
            try s.close()
        }
        // Sealed into Qdrant's files: read back from them, searched by the inverted index.
        let s = try storage()
        let c = try s.collection("c")
        try check(c, live: live)
        #expect(FileIO.exists(try segmentDir() + "/vector_storage-s/store/tracker.dat"))
        // Writes on top of sealed segments: an overwrite drops the old vector from IDF counts.
        try c.upsert([PointInput(id: .number(1), vectors: [:], sparse: ["t": SparseVector(indices: [2], values: [1])])], wait: true)
        live[live.firstIndex { $0.id == .number(1) }!] = PointInput(id: .number(1), vectors: [:], sparse: ["t": SparseVector(indices: [2], values: [1])])
        try check(c, live: live)
    }

    func segmentDir() throws -> String {
        let segs = dir.path + "/collections/c/0/segments"
        return segs + "/" + (try #require(FileIO.listDirectory(segs).first { !$0.hasSuffix(".tmp") }))
    }

    @Test func oldUpsertRecordsKeepTheirKind() throws {
        let dense = WriteOperation.upsert([SlotPoint(id: .number(1), vectors: [[1, 2]], payload: [:])]).encode()
        #expect(dense.first == 1)
        let sparse = WriteOperation.upsert([SlotPoint(id: .number(1), vectors: [nil], payload: ["a": .int(1)],
                                                      sparse: [SparseVector(indices: [3], values: [0.5]), nil])]).encode()
        #expect(sparse.first == 7)
        guard case .upsert(let back) = try WriteOperation.decode(sparse) else { Issue.record("not an upsert"); return }
        #expect(back[0].sparse == [SparseVector(indices: [3], values: [0.5]), nil])
        #expect(back[0].vectors.count == 1 && back[0].vectors[0] == nil && back[0].payload == ["a": .int(1)])
        // A declared count the record cannot hold is refused before anything is reserved.
        var hostile = sparse
        hostile.replaceSubrange(1..<5, with: [0xff, 0xff, 0xff, 0x7f])
        #expect(throws: (any Error).self) { try WriteOperation.decode(hostile) }
    }
}
