/// `hnsw_config` and `optimizers_config` of a create or `PATCH /collections/{c}` request:
/// Qdrant's `HnswConfigDiff` / `OptimizersConfigDiff`, where every field is optional and a given
/// one replaces the collection's value. Wrong types and negative counts are a 400.
extension CollectionConfig {
    public mutating func apply(hnswDiff: JSONValue?, optimizersDiff: JSONValue?) throws {
        if let d = try Self.fields(hnswDiff, "hnsw_config") {
            if let v = try Self.count(d, "m", "hnsw_config") { hnsw_config.m = v }
            if let v = try Self.count(d, "ef_construct", "hnsw_config", min: 4) { hnsw_config.ef_construct = v }
            if let v = try Self.count(d, "full_scan_threshold", "hnsw_config", min: 10) { hnsw_config.full_scan_threshold = v }
            if let v = try Self.count(d, "max_indexing_threads", "hnsw_config") { hnsw_config.max_indexing_threads = v }
            if let v = try Self.count(d, "payload_m", "hnsw_config") { hnsw_config.payload_m = v }
            if case .bool(let b)? = d["on_disk"] { hnsw_config.on_disk = b }
        }
        if let d = try Self.fields(optimizersDiff, "optimizers_config") {
            if let raw = d["deleted_threshold"] {
                guard let v = raw.number, v >= 0, v <= 1 else {
                    throw StorageError(.badInput, "Validation error in JSON body: [optimizers_config.deleted_threshold: value must be between 0 and 1]")
                }
                optimizer_config.deleted_threshold = v
            }
            if let v = try Self.count(d, "vacuum_min_vector_number", "optimizers_config", min: 100) { optimizer_config.vacuum_min_vector_number = v }
            if let v = try Self.count(d, "default_segment_number", "optimizers_config") { optimizer_config.default_segment_number = v }
            if d.keys.contains("max_segment_size") { optimizer_config.max_segment_size = try Self.count(d, "max_segment_size", "optimizers_config") }
            if d.keys.contains("memmap_threshold") { optimizer_config.memmap_threshold = try Self.count(d, "memmap_threshold", "optimizers_config") }
            if d.keys.contains("indexing_threshold") { optimizer_config.indexing_threshold = try Self.count(d, "indexing_threshold", "optimizers_config") }
            if let v = try Self.count(d, "flush_interval_sec", "optimizers_config") { optimizer_config.flush_interval_sec = v }
            if d.keys.contains("max_optimization_threads") {
                optimizer_config.max_optimization_threads = try Self.count(d, "max_optimization_threads", "optimizers_config")
            }
        }
    }

    private static func fields(_ v: JSONValue?, _ section: String) throws -> [String: JSONValue]? {
        switch v {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw StorageError(.badInput, "Format error in JSON body: \(section) must be an object")
        }
    }

    /// A non-negative integer field; nil when absent or null.
    private static func count(_ d: [String: JSONValue], _ key: String, _ section: String, min: Int = 0) throws -> Int? {
        switch d[key] {
        case nil, .null?: return nil
        case .int(let i)? where i >= Int64(min): return Int(i)
        case .uint(let u)? where u >= UInt64(min) && u <= UInt64(Int.max): return Int(u)
        default:
            throw StorageError(.badInput, "Validation error in JSON body: [\(section).\(key): value must be an integer, at least \(min)]")
        }
    }
}
