import Foundation

/// `graph.bin`: bincode v1 (fixed-width little-endian integers, `usize` as u64, sequences as a
/// u64 length then the items) of Qdrant's `GraphLayerData` (`graph_layers.rs`,
/// `entry_points.rs`, `fixed_length_priority_queue.rs`):
///
///     u64 m · u64 m0 · u64 ef_construct ·
///     u64 n, n × {u32 point_id, u64 level}        entry points
///     u64 k, k × {u32 point_id, u64 level}        extra entry points (a heap, any order)
///     u64 capacity                                the extra entry points' bound (non-zero)
struct GraphLayerData: Equatable {
    static let fileName = "graph.bin"

    var m: Int
    var m0: Int
    var efConstruct: Int
    var entryPoints: [HNSWGraph.EntryPoint]
    var extraEntryPoints: [HNSWGraph.EntryPoint]
    var extraCapacity: Int

    init(m: Int, m0: Int, efConstruct: Int, entryPoints: [HNSWGraph.EntryPoint], extraEntryPoints: [HNSWGraph.EntryPoint], extraCapacity: Int) {
        self.m = m
        self.m0 = m0
        self.efConstruct = efConstruct
        self.entryPoints = entryPoints
        self.extraEntryPoints = extraEntryPoints
        self.extraCapacity = extraCapacity
    }

    init(_ g: HNSWGraph) {
        self.init(m: g.m, m0: g.m0, efConstruct: g.efConstruct, entryPoints: g.entryPoints,
                  extraEntryPoints: g.extraEntryPoints, extraCapacity: g.extraCapacity)
    }

    /// Reads `graph.bin`; every count is checked against the bytes left before anything is
    /// allocated, and every entry point against `pointCount` when given.
    static func read(validating b: UnsafeRawBufferPointer, pointCount: Int? = nil) throws -> GraphLayerData {
        var pos = 0
        func bad(_ m: String) -> SegmentFormatError { SegmentFormatError(.corrupt, fileName, m) }
        func u64(_ what: String) throws -> UInt64 {
            guard let v = SegmentBytes.u64(b, pos) else { throw bad("ends inside \(what) at byte \(pos)") }
            pos += 8
            return v
        }
        func small(_ what: String, limit: Int) throws -> Int {
            let v = try u64(what)
            guard v <= UInt64(limit) else { throw bad("has \(what) \(v), above \(limit)") }
            return Int(v)
        }
        func points(_ what: String) throws -> [HNSWGraph.EntryPoint] {
            let n = try small("the count of \(what)", limit: (b.count - pos) / 12)
            return try (0..<n).map { _ in
                let p = SegmentBytes.u32(b, pos)!
                pos += 4
                let level = try small("a level of \(what)", limit: 64)
                if let pointCount, Int(p) >= pointCount { throw bad("names point \(p) among \(what), past its \(pointCount) points") }
                return HNSWGraph.EntryPoint(point: p, level: level)
            }
        }
        let m = try small("m", limit: 1 << 16)
        let m0 = try small("m0", limit: 1 << 16)
        let ef = try small("ef_construct", limit: 1 << 24)
        let eps = try points("entry points")
        let extra = try points("extra entry points")
        let cap = try small("the extra entry points' capacity", limit: 1 << 32)
        guard cap > 0 else { throw bad("has an extra entry points' capacity of 0") }
        guard pos == b.count else { throw bad("has \(b.count - pos) bytes after its data") }
        return GraphLayerData(m: m, m0: m0, efConstruct: ef, entryPoints: eps, extraEntryPoints: extra, extraCapacity: cap)
    }

    func write() -> [UInt8] {
        var out: [UInt8] = []
        for v in [m, m0, efConstruct] { SegmentBytes.le(UInt64(v), into: &out) }
        for list in [entryPoints, extraEntryPoints] {
            SegmentBytes.le(UInt64(list.count), into: &out)
            for e in list {
                SegmentBytes.le(e.point, into: &out)
                SegmentBytes.le(UInt64(e.level), into: &out)
            }
        }
        SegmentBytes.le(UInt64(extraCapacity), into: &out)
        return out
    }
}

/// `hnsw_config.json`: Qdrant's `HnswGraphConfig` (`hnsw_index/config.rs`), with
/// `full_scan_threshold` in vectors (not KB). Unknown keys are ignored; missing optional ones
/// take Qdrant's defaults.
struct HnswGraphConfig: Decodable, Equatable {
    static let fileName = "hnsw_config.json"

    var m: Int
    var m0: Int
    var ef_construct: Int
    var ef: Int
    var full_scan_threshold: Int
    var max_indexing_threads: Int = 0
    var payload_m: Int?
    var payload_m0: Int?
    var indexed_vector_count: Int?

    init(m: Int, efConstruct: Int, fullScanThreshold: Int, maxIndexingThreads: Int, payloadM: Int?, indexedVectorCount: Int) {
        self.m = m
        m0 = 2 * m
        ef_construct = efConstruct
        ef = efConstruct
        full_scan_threshold = fullScanThreshold
        max_indexing_threads = maxIndexingThreads
        payload_m = payloadM
        payload_m0 = payloadM.map { 2 * $0 }
        indexed_vector_count = indexedVectorCount
    }

    enum CodingKeys: String, CodingKey {
        case m, m0, ef_construct, ef, full_scan_threshold, indexing_threshold, max_indexing_threads, payload_m, payload_m0, indexed_vector_count
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        m = try c.decode(Int.self, forKey: .m)
        m0 = try c.decode(Int.self, forKey: .m0)
        ef_construct = try c.decode(Int.self, forKey: .ef_construct)
        ef = try c.decode(Int.self, forKey: .ef)
        full_scan_threshold = try c.decodeIfPresent(Int.self, forKey: .full_scan_threshold) ?? c.decode(Int.self, forKey: .indexing_threshold)
        max_indexing_threads = try c.decodeIfPresent(Int.self, forKey: .max_indexing_threads) ?? 0
        payload_m = try c.decodeIfPresent(Int.self, forKey: .payload_m)
        payload_m0 = try c.decodeIfPresent(Int.self, forKey: .payload_m0)
        indexed_vector_count = try c.decodeIfPresent(Int.self, forKey: .indexed_vector_count)
    }

    /// Serde's spelling: fields in declaration order, `None` as `null`.
    func write() -> [UInt8] {
        func opt(_ v: Int?) -> String { v.map(String.init) ?? "null" }
        let s = "{\"m\":\(m),\"m0\":\(m0),\"ef_construct\":\(ef_construct),\"ef\":\(ef),\"full_scan_threshold\":\(full_scan_threshold),"
            + "\"max_indexing_threads\":\(max_indexing_threads),\"payload_m\":\(opt(payload_m)),\"payload_m0\":\(opt(payload_m0)),"
            + "\"indexed_vector_count\":\(opt(indexed_vector_count))}"
        return Array(s.utf8)
    }

    static func read(validating bytes: [UInt8]) throws -> HnswGraphConfig {
        do {
            return try JSONDecoder().decode(HnswGraphConfig.self, from: Data(bytes))
        } catch {
            throw SegmentFormatError(.corrupt, fileName, "is not Qdrant's HnswGraphConfig: \(SegmentState.describe(error))")
        }
    }
}
