/// `hnsw_config` and `optimizers_config` of a create or `PATCH /collections/{c}` request:
/// Qdrant's `HnswConfigDiff` / `OptimizersConfigDiff`, where every field is optional and a given
/// one replaces the collection's value. Wrong types and negative counts are a 400.
extension CollectionConfig {
    public mutating func apply(hnswDiff: JSONValue?, optimizersDiff: JSONValue?) throws {
        try Self.apply(hnswDiff, to: &hnsw_config, section: "hnsw_config")
        if let d = try Self.fields(optimizersDiff, "optimizers_config") {
            if let raw = d["deleted_threshold"] {
                guard let v = raw.number, v >= 0, v <= 1 else {
                    throw StorageError(.badInput, "Validation error in JSON body: [optimizers_config.deleted_threshold: value must be between 0 and 1]")
                }
                optimizer_config.deleted_threshold = v
            }
            if let v = try Self.count(d, "vacuum_min_vector_number", "optimizers_config", min: 100) { optimizer_config.vacuum_min_vector_number = v }
            if let v = try Self.count(d, "default_segment_number", "optimizers_config") { optimizer_config.default_segment_number = v }
            // A null keeps the value, as Qdrant's `OptimizersConfig::update` (`diff.or(self)`).
            if let v = try Self.count(d, "max_segment_size", "optimizers_config") { optimizer_config.max_segment_size = v }
            if let v = try Self.count(d, "memmap_threshold", "optimizers_config") { optimizer_config.memmap_threshold = v }
            if let v = try Self.count(d, "indexing_threshold", "optimizers_config") { optimizer_config.indexing_threshold = v }
            if let v = try Self.count(d, "flush_interval_sec", "optimizers_config") { optimizer_config.flush_interval_sec = v }
            // Qdrant's `MaxOptimizationThreads`: a count, or "auto" (nil: as many as the CPUs allow).
            if case .string(let s)? = d["max_optimization_threads"], s == "auto" {
                optimizer_config.max_optimization_threads = nil
            } else if let v = try Self.count(d, "max_optimization_threads", "optimizers_config") {
                optimizer_config.max_optimization_threads = v
            }
        }
    }

    /// The HNSW config of dense vector `name`: the collection's `hnsw_config` with the vector's
    /// own `hnsw_config` diff applied (Qdrant's per-vector index config). Throws a 400 naming
    /// `vectors[.<name>].hnsw_config` when that diff is not a valid `HnswConfigDiff`.
    public func hnsw(for name: String) throws -> HnswConfig {
        var h = hnsw_config
        guard let diff = params.vectors.byName.first(where: { $0.name == name })?.params.hnsw_config else { return h }
        try Self.apply(diff, to: &h, section: name.isEmpty ? "vectors.hnsw_config" : "vectors.\(name).hnsw_config")
        return h
    }

    /// Applies the `HnswConfigDiff` `diff` to `h`; errors name `section`.
    private static func apply(_ diff: JSONValue?, to h: inout HnswConfig, section: String) throws {
        guard let d = try fields(diff, section) else { return }
        if let v = try count(d, "m", section) { h.m = v }
        if let v = try count(d, "ef_construct", section, min: 4) { h.ef_construct = v }
        if let v = try count(d, "full_scan_threshold", section, min: 10) { h.full_scan_threshold = v }
        if let v = try count(d, "max_indexing_threads", section) { h.max_indexing_threads = v }
        if let v = try count(d, "payload_m", section) { h.payload_m = v }
        if case .bool(let b)? = d["on_disk"] { h.on_disk = b }
    }

    static func fields(_ v: JSONValue?, _ section: String) throws -> [String: JSONValue]? {
        switch v {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw StorageError(.badInput, "Format error in JSON body: \(section) must be an object")
        }
    }

    /// A non-negative integer field; nil when absent or null.
    static func count(_ d: [String: JSONValue], _ key: String, _ section: String, min: Int = 0) throws -> Int? {
        switch d[key] {
        case nil, .null?: return nil
        case .int(let i)? where i >= Int64(min): return Int(i)
        case .uint(let u)? where u >= UInt64(min) && u <= UInt64(Int.max): return Int(u)
        default:
            throw StorageError(.badInput, "Validation error in JSON body: [\(section).\(key): value must be an integer, at least \(min)]")
        }
    }
}
