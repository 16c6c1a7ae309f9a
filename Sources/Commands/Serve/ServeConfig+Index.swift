import Engine
import Foundation

/// Qdrant's `storage.hnsw_index` and `storage.optimizers` config sections: the defaults of
/// every collection created through this server (a create request's own `hnsw_config` /
/// `optimizers_config` still win), with Qdrant's `_kb` spellings mapped to the collection
/// config's fields. Keys of those sections qdb does not apply (`memory`, `inline_storage`,
/// `prevent_unoptimized`, …) stay logged as ignored.
extension ServeConfig {
    /// `storage.hnsw_index.<key>` → `hnsw_config.<field>`.
    static let hnswDefaultKeys = [
        "m": "m", "ef_construct": "ef_construct", "full_scan_threshold_kb": "full_scan_threshold",
        "full_scan_threshold": "full_scan_threshold", "max_indexing_threads": "max_indexing_threads",
        "on_disk": "on_disk", "payload_m": "payload_m",
    ]
    /// `storage.optimizers.<key>` → `optimizers_config.<field>`.
    static let optimizerDefaultKeys = [
        "deleted_threshold": "deleted_threshold", "vacuum_min_vector_number": "vacuum_min_vector_number",
        "default_segment_number": "default_segment_number", "max_segment_size_kb": "max_segment_size",
        "max_segment_size": "max_segment_size", "memmap_threshold_kb": "memmap_threshold", "memmap_threshold": "memmap_threshold",
        "indexing_threshold_kb": "indexing_threshold", "indexing_threshold": "indexing_threshold",
        "flush_interval_sec": "flush_interval_sec", "max_optimization_threads": "max_optimization_threads",
    ]

    /// Records `key` when it is one of those defaults; false for any other key.
    mutating func setCollectionDefault(_ key: String, _ raw: Any, source: String) throws -> Bool {
        let (section, table): (String, [String: String])
        if key.hasPrefix("storage.hnsw_index.") {
            (section, table) = ("storage.hnsw_index.", Self.hnswDefaultKeys)
        } else if key.hasPrefix("storage.optimizers.") {
            (section, table) = ("storage.optimizers.", Self.optimizerDefaultKeys)
        } else {
            return false
        }
        guard let field = table[String(key.dropFirst(section.count))] else { return false }
        let text = raw is NSNull ? "null" : "\(raw)".lowercased()
        let value: JSONValue
        if text == "null" || text == "~" {
            value = .null
        } else if let i = Int64(text) {
            value = .int(i)
        } else if let d = Double(text), field == "deleted_threshold" {
            value = .double(d)
        } else if let b = ["true": true, "false": false][text], field == "on_disk" {
            value = .bool(b)
        } else {
            throw ConfigError("bad value `\(raw)` for `\(key)` in \(source): expected a number")
        }
        let probe: (JSONValue?, JSONValue?) = section == "storage.hnsw_index." ? (.object([field: value]), nil) : (nil, .object([field: value]))
        var check = CollectionConfig(params: CollectionParams(vectors: .named([:])))
        do { try check.apply(hnswDiff: probe.0, optimizersDiff: probe.1) } catch let e as StorageError {
            throw ConfigError("bad value `\(raw)` for `\(key)` in \(source): \(e.message)")
        }
        if section == "storage.hnsw_index." { collectionDefaults.hnsw[field] = value } else { collectionDefaults.optimizers[field] = value }
        return true
    }
}

/// The collection defaults a server's config gives (see `setCollectionDefault`).
public struct CollectionDefaults: Sendable, Equatable {
    public var hnsw: [String: JSONValue] = [:]
    public var optimizers: [String: JSONValue] = [:]

    /// Applies the defaults, then a request's own sections, to `config`.
    func apply(to config: inout CollectionConfig, hnsw own: JSONValue?, optimizers ownOpt: JSONValue?) throws {
        try config.apply(hnswDiff: hnsw.isEmpty ? nil : .object(hnsw), optimizersDiff: optimizers.isEmpty ? nil : .object(optimizers))
        try config.apply(hnswDiff: own, optimizersDiff: ownOpt)
    }
}
