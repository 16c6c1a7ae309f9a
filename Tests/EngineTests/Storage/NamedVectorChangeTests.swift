import Foundation
import Testing
@testable import Engine

/// Adding and removing named vectors of an existing collection (`Storage+NamedVectors`):
/// Qdrant's config rules, sealed segments rewritten in the new vector set, persistence, and an
/// interrupted change (its intent file) completed at the next open.
@Suite struct NamedVectorChangeTests {
    let dir = TempDir()

    func storage() throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: 10), logger: testLogger)
    }

    static func config() -> CollectionConfig {
        var params = CollectionParams(vectors: .named(["a": .init(size: 2, distance: .dot)]))
        params.sparse_vectors = ["s": SparseVectorParams()]
        return CollectionConfig(params: params)
    }

    static let points = (0..<25).map { i in
        PointInput(id: .number(UInt64(i)), vectors: ["a": [Float(i), 1]], sparse: ["s": SparseVector(indices: [UInt32(i % 4)], values: [1])])
    }

    @Test func configRulesAreQdrants() throws {
        let c = Self.config()
        var b = VectorParams(size: 3, distance: .cosine)
        b.datatype = .uint8
        let added = try #require(try c.adding("b", .dense(b)))
        #expect(added.params.vectors.params("b") == b)
        #expect(try added.adding("b", .dense(b)) == nil)  // the same: a no-op
        #expect(throws: StorageError.self) { try added.adding("b", .dense(VectorParams(size: 3, distance: .cosine))) }
        #expect(throws: StorageError.self) { try c.adding("s", .dense(b)) }
        #expect(throws: StorageError.self) { try c.adding("a", .sparse(SparseVectorParams())) }
        #expect(throws: StorageError.self) { try c.adding("s", .sparse(SparseVectorParams(modifier: "idf"))) }
        #expect(c.removing("missing") == nil)
        #expect(c.removing("s")?.params.sparse_vectors == [:])
        // The unnamed vector becomes `""` of a map when a named one is added; removing it empties.
        let single = CollectionConfig(params: CollectionParams(vectors: .single(.init(size: 2, distance: .dot))))
        #expect(try single.adding("n", .dense(b))?.params.vectors == .named(["": .init(size: 2, distance: .dot), "n": b]))
        #expect(single.removing("")?.params.vectors == .named([:]))
        #expect(single.removing("n") == nil)
        #expect(throws: StorageError.self) { try Storage.validateVectorName("a/b") }
        #expect(throws: StorageError.self) { try Storage.validateVectorName(String(repeating: "x", count: 201)) }
    }

    @Test func sealedSegmentsTakeTheNewShapeAndItPersists() throws {
        do {
            let s = try storage()
            try s.createCollection("c", config: Self.config())
            try s.collection("c").upsert(Self.points, wait: true)
            let stale = try s.collection("c")
            try s.createNamedVector(collection: "c", vector: "b", config: .dense(VectorParams(size: 3, distance: .euclid)))
            try s.deleteNamedVector(collection: "c", vector: "s")
            let c = try s.collection("c")
            // A write that got the collection before the change logs nothing in the old layout.
            #expect(throws: StorageError.self) { try stale.upsert([Self.points[0]], wait: true) }
            #expect(c.config.params.sparse_vectors == [:])
            try c.updateVectors([PointInput(id: .number(3), vectors: ["b": [1, 2, 3]])], wait: true)
            let r = c.retrieve([.number(3), .number(4)], payload: .none, vectors: .all)
            #expect(r.map { $0.vectors?["b"] } == [[1, 2, 3], nil])
            #expect(r.map { $0.vectors?["a"] } == [[3, 1], [4, 1]])
            #expect(r.allSatisfy { ($0.sparseVectors ?? [:]).isEmpty })
            try s.close()
        }
        let s = try storage()
        let c = try s.collection("c")
        #expect(c.config.params.vectors.params("b")?.size == 3)
        let hit = try c.search(SearchRequest(vector: [1, 2, 3], using: "b", limit: 5))
        #expect(hit.map(\.id) == [.number(3)])
        #expect(c.count(filter: nil) == 25)
        // Every sealed segment's segment.json names exactly the new vectors.
        let jsons = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix("/segment.json") }
        #expect(!jsons.isEmpty)
        for j in jsons {
            let state = try SegmentState.read(validating: Array(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/" + j))))
            #expect(Set(state.config.vector_data.keys) == ["a", "b"], "\(j)")
            #expect(try SegmentSchema.sparseParams(of: state.config).isEmpty)
        }
        try s.close()
    }

    @Test func anInterruptedChangeIsCompletedAtOpen() throws {
        let collDir: String
        do {
            let s = try storage()
            try s.createCollection("c", config: Self.config())
            try s.collection("c").upsert(Self.points, wait: true)
            let c = try s.collection("c")
            collDir = c.dir
            try s.close()
        }
        // As if killed right after the intent was written: config.json and segments are old.
        var next = try #require(try Self.config().adding("b", .dense(VectorParams(size: 2, distance: .dot))))
        next = try #require(next.removing("a"))
        try PendingVectorChange(config: next, tolerated: ["a", "b"]).write(collectionDir: collDir)
        let s = try storage()
        let c = try s.collection("c")
        #expect(!FileIO.exists(collDir + "/" + PendingVectorChange.fileName))
        #expect(c.config == next)
        let onDisk = try JSONDecoder().decode(CollectionConfig.self, from: Data(contentsOf: URL(fileURLWithPath: collDir + "/config.json")))
        #expect(onDisk == next)
        #expect(c.count(filter: nil) == 25)
        #expect(c.retrieve([.number(7)], payload: .none, vectors: .all).first?.vectors?["a"] == nil)
        try s.close()
    }
}
