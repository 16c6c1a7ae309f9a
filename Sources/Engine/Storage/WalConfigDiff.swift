/// `wal_config` of a create request: Qdrant's `WalConfigDiff` (`lib/collection/src/operations/
/// config_diff.rs`), where every field is optional and a given one replaces the collection's
/// value. Qdrant's ranges: `wal_capacity_mb` ≥ 1, `wal_segments_ahead` ≥ 0, `wal_retain_closed` ≥ 1
/// (`WalConfig`'s validation in `lib/collection/src/config.rs`). Wrong types or values are a 400
/// naming the field; nothing is changed then.
extension CollectionConfig {
    public mutating func apply(walDiff: JSONValue?) throws {
        let d: [String: JSONValue]
        switch walDiff {
        case nil, .null?: return
        case .object(let o)?: d = o
        default: throw StorageError(.badInput, "Format error in JSON body: wal_config must be an object")
        }
        var w = wal_config
        func count(_ key: String, min: Int) throws -> Int? {
            switch d[key] {
            case nil, .null?: return nil
            case .int(let i)? where i >= Int64(min): return Int(i)
            case .uint(let u)? where u >= UInt64(min) && u <= UInt64(Int.max): return Int(u)
            default:
                throw StorageError(.badInput, "Validation error in JSON body: [wal_config.\(key): value must be an integer, at least \(min)]")
            }
        }
        if let v = try count("wal_capacity_mb", min: 1) { w.wal_capacity_mb = v }
        if let v = try count("wal_segments_ahead", min: 0) { w.wal_segments_ahead = v }
        if let v = try count("wal_retain_closed", min: 1) { w.wal_retain_closed = v }
        wal_config = w
    }
}
