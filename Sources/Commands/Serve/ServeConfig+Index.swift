import Engine
import Foundation

/// Qdrant's `storage.hnsw_index`, `storage.optimizers` and `storage.wal` config sections: the
/// defaults of every collection created through this server (REST or gRPC). As Qdrant's
/// `create_collection` (`lib/storage/src/content_manager/toc/create_collection.rs`) does with
/// `update_opt`, a create request's own `hnsw_config` / `optimizers_config` / `wal_config` win
/// field by field; the result is persisted in the collection's `config.json`, so changing the
/// defaults later leaves existing collections as they are. Qdrant's `_kb` spellings map to the
/// collection config's fields. `storage.optimizers_overwrite` takes the keys of `storage.optimizers`
/// and, as in Qdrant (`Collection::effective_optimizers_config`), is applied over every
/// collection's optimizer config, whatever its creation said, without being persisted in it (the
/// collection's info and snapshots keep its own config). Keys of those sections qdb does not apply (`memory`,
/// `inline_storage`, `prevent_unoptimized`, …) stay logged as ignored.
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

    /// `storage.wal.<key>` → `wal_config.<field>`.
    static let walDefaultKeys = ["wal_capacity_mb": "wal_capacity_mb", "wal_segments_ahead": "wal_segments_ahead", "wal_retain_closed": "wal_retain_closed"]

    /// Records `key` when it is one of those defaults; false for any other key.
    mutating func setCollectionDefault(_ key: String, _ raw: Any, source: String) throws -> Bool {
        let (section, table): (String, [String: String])
        if key.hasPrefix("storage.hnsw_index.") {
            (section, table) = ("storage.hnsw_index.", Self.hnswDefaultKeys)
        } else if key.hasPrefix("storage.optimizers.") {
            (section, table) = ("storage.optimizers.", Self.optimizerDefaultKeys)
        } else if key.hasPrefix("storage.wal.") {
            (section, table) = ("storage.wal.", Self.walDefaultKeys)
        } else if key.hasPrefix("storage.optimizers_overwrite.") {
            (section, table) = ("storage.optimizers_overwrite.", Self.optimizerDefaultKeys)
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
        var probe = CollectionDefaults()
        switch section {
        case "storage.hnsw_index.": probe.hnsw[field] = value
        case "storage.wal.": probe.wal[field] = value
        default: probe.optimizers[field] = value  // `storage.optimizers_overwrite.` too: the same checks
        }
        var check = CollectionConfig(params: CollectionParams(vectors: .named([:])))
        do { try probe.apply(to: &check, hnsw: nil, optimizers: nil) } catch let e as StorageError {
            throw ConfigError("bad value `\(raw)` for `\(key)` in \(source): \(e.message)")
        }
        if section == "storage.optimizers_overwrite." {
            optimizersOverwrite.merge(probe.optimizers) { _, new in new }
            return true
        }
        collectionDefaults.hnsw.merge(probe.hnsw) { _, new in new }
        collectionDefaults.optimizers.merge(probe.optimizers) { _, new in new }
        collectionDefaults.wal.merge(probe.wal) { _, new in new }
        return true
    }
}

/// The collection defaults a server's config gives (see `setCollectionDefault`).
public struct CollectionDefaults: Sendable, Equatable {
    public var hnsw: [String: JSONValue] = [:]
    public var optimizers: [String: JSONValue] = [:]
    public var wal: [String: JSONValue] = [:]

    /// Applies the defaults, then a request's own sections (each a Qdrant `…ConfigDiff`: a field
    /// given replaces the default, a field left out keeps it), to `config`.
    func apply(to config: inout CollectionConfig, hnsw own: JSONValue?, optimizers ownOpt: JSONValue?, wal ownWal: JSONValue? = nil) throws {
        try config.apply(hnswDiff: hnsw.isEmpty ? nil : .object(hnsw), optimizersDiff: optimizers.isEmpty ? nil : .object(optimizers))
        try config.apply(walDiff: wal.isEmpty ? nil : .object(wal))
        try config.apply(hnswDiff: own, optimizersDiff: ownOpt)
        try config.apply(walDiff: ownWal)
    }
}
