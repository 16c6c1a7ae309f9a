/// `wal_config` of a create request: Qdrant's `WalConfigDiff` (`lib/collection/src/operations/
/// config_diff.rs`), where every field is optional and a given one replaces the collection's
/// value. Qdrant's ranges: `wal_capacity_mb` ≥ 1, `wal_segments_ahead` ≥ 0, `wal_retain_closed` ≥ 1
/// (`WalConfig`'s validation in `lib/collection/src/config.rs`). Wrong types or values are a 400
/// naming the field; nothing is changed then.
extension CollectionConfig {
    public mutating func apply(walDiff: JSONValue?) throws {
        guard let d = try Self.fields(walDiff, "wal_config") else { return }
        var w = wal_config
        if let v = try Self.count(d, "wal_capacity_mb", "wal_config", min: 1) { w.wal_capacity_mb = v }
        if let v = try Self.count(d, "wal_segments_ahead", "wal_config") { w.wal_segments_ahead = v }
        if let v = try Self.count(d, "wal_retain_closed", "wal_config", min: 1) { w.wal_retain_closed = v }
        wal_config = w
    }
}
