import Foundation
import Testing
@testable import Engine

@Suite struct CollectionTests {
    let dir = TempDir()

    func storage() throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100), logger: testLogger)
    }

    @Test func rejectedUpsertWritesNothing() throws {
        let s = try storage()
        try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .cosine)))))
        let c = try s.collection("c")
        try c.upsert([point(1, [1, 0])], wait: true)
        #expect(throws: StorageError.self) {
            try c.upsert([point(2, [1, 0]), point(3, [1, 0, 0])], wait: true)
        }
        #expect(c.count(filter: nil) == 1)
        #expect(throws: StorageError.self) { try c.setPayload(["a": .int(1)], key: nil, .ids([.number(1), .number(99)]), wait: true) }
        #expect(c.retrieve([.number(1)], payload: .all, vectors: .none)[0].payload == [:])
    }

    @Test func searchMatchesBruteForceForEveryDistance() throws {
        let s = try storage()
        var rng = SystemRandomNumberGenerator()
        for distance in Distance.allCases {
            let name = "c-\(distance.rawValue)"
            try s.createCollection(name, config: CollectionConfig(params: .init(vectors: .single(.init(size: 19, distance: distance)), shardNumber: 3)))
            let c = try s.collection(name)
            let vectors = (0..<250).map { _ in (0..<19).map { _ in Float.random(in: -1...1, using: &rng) } }
            try c.upsert(vectors.enumerated().map { point(UInt64($0.offset), $0.element) }, wait: false)
            let q = (0..<19).map { _ in Float.random(in: -1...1, using: &rng) }
            let got = try c.search(SearchRequest(vector: q, limit: 7))
            let stored = vectors.map(distance.preprocess)
            let qq = distance.preprocess(q)
            let scores: [(UInt64, Float)] = stored.enumerated().map { i, v in
                let s: Float = switch distance {
                case .cosine, .dot: zip(qq, v).map(*).reduce(0, +)
                case .euclid: zip(qq, v).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                case .manhattan: zip(qq, v).map { abs($0 - $1) }.reduce(0, +)
                }
                return (UInt64(i), s)
            }
            let best = scores.sorted { distance.higherIsBetter ? $0.1 > $1.1 : $0.1 < $1.1 }.prefix(7)
            #expect(got.map(\.id) == best.map { .number($0.0) }, "\(distance)")
            for (g, b) in zip(got, best) { #expect(abs(g.score! - b.1) < 1e-4) }
        }
    }

    @Test func scrollPagesInIdOrderAcrossShards() throws {
        let s = try storage()
        try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 1, distance: .dot)), shardNumber: 4)))
        let c = try s.collection("c")
        try c.upsert((0..<95).reversed().map { point(UInt64($0), [1]) }, wait: false)
        var seen: [PointID] = []
        var offset: PointID?
        repeat {
            let page = c.scroll(filter: nil, offset: offset, limit: 10, payload: .none, vectors: .none)
            seen += page.records.map(\.id)
            offset = page.next
        } while offset != nil
        #expect(seen == (0..<95).map { .number(UInt64($0)) })
    }

    @Test func invalidNamesAreRejected() throws {
        let s = try storage()
        let config = CollectionConfig(params: .init(vectors: .single(.init(size: 1, distance: .dot))))
        for bad in ["", "a/b", "..", ".hidden", "x\u{1}y", "a\\b", String(repeating: "x", count: 256)] {
            #expect(throws: StorageError.self, "\(bad.debugDescription)") { try s.createCollection(bad, config: config) }
        }
        #expect(FileIO.listDirectory(dir.path + "/collections").isEmpty)
    }

    @Test func aliasesResolveAndFailedBatchChangesNothing() throws {
        let s = try storage()
        try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 1, distance: .dot)))))
        try s.updateAliases([.create(collection: "c", alias: "a")])
        #expect(try s.collection("a").name == "c")
        #expect(throws: StorageError.self) {
            try s.updateAliases([.rename(old: "a", new: "b"), .delete(alias: "missing")])
        }
        #expect(s.aliases().map(\.alias) == ["a"])
        try s.deleteCollection("c")
        #expect(s.aliases().isEmpty)
    }
}

@Suite struct RoutingTests {
    @Test func idsSpreadOverShardsWhateverTheirParity() {
        for shards in [2, 3, 4] {
            var evens = Set<UInt64>(), odds = Set<UInt64>()
            for n in stride(from: UInt64(0), to: 200, by: 2) { evens.insert(PointID.number(n).routingHash % UInt64(shards)) }
            for n in stride(from: UInt64(1), to: 200, by: 2) { odds.insert(PointID.number(n).routingHash % UInt64(shards)) }
            #expect(evens.count == shards && odds.count == shards)
        }
    }
}
