/// What a shard's optimizer and search planner take from its collection's config
/// (`hnsw_config`, `optimizer_config`), in Qdrant's units: thresholds in KB of vector data,
/// converted to vector counts per vector size as Qdrant does.
struct IndexSettings: Sendable, Equatable {
    var hnsw = HnswConfig()
    var optimizer = OptimizerConfig()

    /// Qdrant's default `indexing_threshold` (KB), used when the config leaves it out.
    static let defaultIndexingThresholdKB = 10_000

    init() {}

    /// The HNSW configs of the vectors with their own `hnsw_config` diff.
    var perVector: [String: HnswConfig] = [:]

    /// `overwrite`: an optimizers config diff applied over the config's own (Qdrant's
    /// `optimizers_overwrite`, checked when the server's config was read).
    init(_ config: CollectionConfig, overwrite: JSONValue? = nil) {
        hnsw = config.hnsw_config
        optimizer = config.optimizer_config
        if let overwrite {
            var effective = config
            if (try? effective.apply(hnswDiff: nil, optimizersDiff: overwrite)) != nil { optimizer = effective.optimizer_config }
        }
        for (name, p) in config.params.vectors.byName where p.hnsw_config != nil {
            // Checked at create (`CollectionConfig.validate`); a bad diff read from disk keeps the
            // collection's config.
            if let h = try? config.hnsw(for: name) { perVector[name] = h }
        }
    }

    /// The HNSW config of vector `name`: the collection's, with the vector's own diff applied.
    func hnsw(for name: String) -> HnswConfig { perVector[name] ?? hnsw }

    /// Bytes of one f32 vector of `dim`.
    static func vectorBytes(_ dim: Int) -> Int { dim * MemoryLayout<Float>.size }

    /// `indexing_threshold` in bytes; nil when indexing is disabled (`0`).
    var indexingThresholdBytes: Int? {
        let kb = optimizer.indexing_threshold ?? Self.defaultIndexingThresholdKB
        return kb == 0 ? nil : kb.multipliedReportingOverflow(by: 1024).partialValue
    }

    /// Whether a segment with `vectors` live vectors of `dim` in vector `name` should have an
    /// index (Qdrant's `IndexingOptimizer`: available vector bytes ≥ `indexing_threshold` KB).
    func wantsIndex(vectors: Int, dim: Int, name: String) -> Bool {
        // `m` 0 (the vector's own, else the collection's): Qdrant builds no graph, and searches
        // that vector exactly.
        guard let t = indexingThresholdBytes, vectors > 0, hnsw(for: name).m > 0 else { return false }
        return vectors * Self.vectorBytes(dim) >= t
    }

    /// `full_scan_threshold` (KB) as a vector count for `dim` elements of `elementSize` bytes
    /// (Qdrant's `HnswGraphConfig`, over the stored vectors' real size: half as many bytes for
    /// float16, a quarter for uint8).
    func fullScanVectors(name: String, dim: Int, elementSize: Int = 4) -> Int {
        hnsw(for: name).full_scan_threshold * 1024 / max(1, dim * elementSize)
    }

    /// Whether `indexed_only` leaves out an unindexed segment of `vectors` vectors: one past
    /// max(`indexing_threshold`, `full_scan_threshold`) KB (Qdrant's `indexed_only.rs`).
    func excludedWhenIndexedOnly(vectors: Int, name: String, dim: Int) -> Bool {
        let kb = max(optimizer.indexing_threshold ?? Self.defaultIndexingThresholdKB, hnsw(for: name).full_scan_threshold)
        return vectors * Self.vectorBytes(dim) >= kb * 1024
    }
}

/// Search parameters (`params` of a search or query request), as Qdrant's `SearchParams`.
public struct SearchParams: Sendable, Equatable {
    /// `ef` of the graph search; nil = the index's `ef_construct`.
    public var hnswEf: Int?
    /// Scan every vector, ignoring indexes.
    public var exact = false
    /// Leave out big segments that have no index yet.
    public var indexedOnly = false

    public init(hnswEf: Int? = nil, exact: Bool = false, indexedOnly: Bool = false) {
        self.hnswEf = hnswEf
        self.exact = exact
        self.indexedOnly = indexedOnly
    }
}
