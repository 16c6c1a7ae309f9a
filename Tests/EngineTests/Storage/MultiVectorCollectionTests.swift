import Foundation
import Testing
@testable import Engine

/// Multivectors through a collection: validation, WAL replay (kind 8 beside the old kinds),
/// sealing into Qdrant's files and loading them back, MaxSim search before and after.
@Suite struct MultiVectorCollectionTests {
    let dir = TempDir()

    func storage(seal: Int = 1000) throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: seal), logger: testLogger)
    }

    static func config() -> CollectionConfig {
        var m = VectorParams(size: 2, distance: .cosine)
        m.multivector_config = MultiVectorConfig()
        var e = VectorParams(size: 2, distance: .euclid)
        e.multivector_config = MultiVectorConfig()
        return CollectionConfig(params: CollectionParams(vectors: .named(["d": .init(size: 2, distance: .dot), "m": m, "e": e])))
    }

    static func points() -> [PointInput] {
        (0..<30).map { i in
            var multi: [String: [[Float]]] = [:]
            if i % 3 != 0 { multi["m"] = (0...(i % 4)).map { j in [Float(i % 5) + 1, Float(j) - 1] } }
            if i % 2 == 0 { multi["e"] = [[Float(i) / 10, 1], [0, Float(i % 7)]] }
            return PointInput(id: .number(UInt64(i)), vectors: i % 4 == 0 ? [:] : ["d": [Float(i), 1]], multi: multi)
        }
    }

    /// Brute force: Σ over query vectors of the best similarity, Cosine on normalized vectors,
    /// Euclid as −squared distance, then Qdrant's postprocessing.
    static func expected(_ q: [[Float]], _ name: String, live: [PointInput]) -> [(UInt64, Float)] {
        let distance: Distance = name == "m" ? .cosine : .euclid
        func sim(_ a: [Float], _ b: [Float]) -> Float {
            switch distance {
            case .cosine: return zip(distance.preprocess(a), distance.preprocess(b)).map(*).reduce(0, +)
            default: return -zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            }
        }
        let scored: [(UInt64, Float, Float)] = live.compactMap { p in
            guard let m = p.multi[name], case .number(let n) = p.id else { return nil }
            let s = q.map { qv in m.map { sim(qv, $0) }.max()! }.reduce(0, +)
            return (n, s, distance == .euclid ? abs(s).squareRoot() : s)
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map { ($0.0, $0.2) }
    }

    /// `ids`: three live points, the second without an `e` vector, the third with one.
    func check(_ c: Collection, live: [PointInput], ids: [UInt64] = [1, 3, 4]) throws {
        for name in ["m", "e"] {
            for q: [[Float]] in [[[1, 0]], [[0.5, -1], [2, 2], [0, 1]]] {
                let slot = try #require(c.multiSlot(named: name))
                let got = try c.searchMulti(q, slot: slot, filter: nil, limit: 50, offset: 0, threshold: nil)
                let want = Self.expected(q, name, live: live)
                #expect(got.map { $0.point.id } == want.map { .number($0.0) }, "\(name) \(q)")
                for (g, w) in zip(got, want) { #expect(abs(g.score - w.1) < 1e-4, "\(name)") }
            }
        }
        let r = c.retrieve(ids.map { .number($0) }, payload: .none, vectors: .all)
        let want = ids.map { i in live.first { $0.id == .number(i) }?.multi["e"] }
        #expect(r.map { $0.multiVectors?["e"] } == want)
        #expect(want[1] == nil && want[2] != nil)
        #expect(r[0].multiVectors?["m"]?.count == live.first { $0.id == .number(ids[0]) }?.multi["m"]?.count)
        #expect(c.count(filter: Filter(must: [.hasVector("m", slot: -1)])) == live.filter { $0.multi["m"] != nil }.count)
        #expect(c.count(filter: Filter(mustNot: [.hasVector("e", slot: -1)])) == live.filter { $0.multi["e"] == nil }.count)
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
        // Reopened without a clean close: the WAL (kind 8 records) replays.
        do {
            let s = try storage()
            try check(try s.collection("c"), live: live)
            try s.close()
        }
        // Sealed into Qdrant's multi-dense files: read back from them.
        let s = try storage()
        let c = try s.collection("c")
        try check(c, live: live)
        #expect(FileIO.listDirectory(dir.path + "/collections/c/0/segments").contains { seg in
            FileIO.exists(dir.path + "/collections/c/0/segments/\(seg)/vector_storage-m/offsets/chunk_0.mmap")
        })
        // Named-vector edits: replace one multivector, drop another.
        try c.updateVectors([PointInput(id: .number(1), vectors: [:], multi: ["e": [[9, 9]]])], wait: true)
        try c.deleteVectors(["m"], .ids([.number(2)]), wait: true)
        live[live.firstIndex { $0.id == .number(1) }!].multi["e"] = [[9, 9]]
        live[live.firstIndex { $0.id == .number(2) }!].multi["m"] = nil
        try check(c, live: live)
    }

    /// The optimizer's rebuilds (an HNSW index for the dense vector, a vacuum of a segment
    /// with many deletions) carry every multivector into the new segment.
    @Test func optimizedAndVacuumedSegmentsKeepTheirMultivectors() throws {
        var cfg = Self.config()
        cfg.optimizer_config.indexing_threshold = 1
        cfg.optimizer_config.vacuum_min_vector_number = 5
        cfg.optimizer_config.deleted_threshold = 0.2
        var live = Self.points()
        let s = try storage()
        try s.createCollection("c", config: cfg)
        let c = try s.collection("c")
        try c.upsert(live, wait: true)
        try c.close()  // seals
        try s.optimizeNow()
        let indexed = c.shards[0].segments[0].id
        try check(c, live: live)
        let gone = (0..<12).map { PointID.number(UInt64($0)) }
        try c.delete(.ids(gone), wait: true)
        live.removeAll { gone.contains($0.id) }
        try c.close()
        try s.optimizeNow()
        #expect(c.shards[0].segments[0].id != indexed && c.shards[0].segments[0].count == live.count)
        try check(c, live: live, ids: [13, 15, 16])
    }

    @Test func refusesBadMultivectorsWithoutChange() throws {
        let s = try storage()
        try s.createCollection("c", config: Self.config())
        let c = try s.collection("c")
        let bad: [[String: [[Float]]]] = [["m": []], ["m": [[]]], ["m": [[1, 2], [1, 2, 3]]], ["e": [[1, .nan]]], ["d": [[1, 2]]], ["zz": [[1, 2]]]]
        for multi in bad {
            #expect(throws: StorageError.self, "\(multi)") { try c.upsert([PointInput(id: .number(1), vectors: [:], multi: multi)], wait: true) }
        }
        #expect(c.count(filter: nil) == 0)
        // A plain vector for a multivector is one inner vector.
        try c.upsert([PointInput(id: .number(1), vectors: ["m": [3, 4]])], wait: true)
        #expect(c.retrieve([.number(1)], payload: .none, vectors: .all).first?.multiVectors?["m"] == [[0.6, 0.8]])
        var wrong = Self.config()
        wrong.params.vectors = .single({ var p = VectorParams(size: 2, distance: .dot); p.multivector_config = MultiVectorConfig(comparator: "min_sim"); return p }())
        #expect(throws: StorageError.self) { try wrong.validate() }
    }

    @Test func walRecordKind8RoundTripsAndOldKindsStillDecode() throws {
        let p = SlotPoint(id: .number(7), vectors: [[1, 2], nil], payload: ["a": .int(1)],
                          sparse: [SparseVector(indices: [3], values: [0.5])], multi: [nil, [[1, 2], [3, 4]]])
        let bytes = WriteOperation.upsert([p]).encode()
        #expect(bytes.first == 8)
        guard case .upsert(let back) = try WriteOperation.decode(bytes) else { Issue.record("not an upsert"); return }
        #expect(back.count == 1 && back[0].multi == p.multi && back[0].sparse == p.sparse && back[0].vectors == p.vectors)
        let old = WriteOperation.upsert([SlotPoint(id: .number(1), vectors: [[1, 2]], payload: [:])]).encode()
        #expect(old.first == 1)
        // A count the record's bytes cannot hold is refused before anything is reserved.
        var hostile = bytes
        hostile.replaceSubrange(1..<5, with: [0xff, 0xff, 0xff, 0x7f])
        #expect(throws: (any Error).self) { try WriteOperation.decode(hostile) }
    }
}
