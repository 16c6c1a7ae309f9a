import Engine
import QdrantProto

/// `hnsw_config`, `optimizers_config` and `wal_config` of a gRPC `CreateCollection`, read as REST's create
/// reads them (`CollectionDefaults.apply`, then `CollectionConfig.apply(hnswDiff:optimizersDiff:)`):
/// the proto diffs become the JSON diffs REST receives, so both APIs share one validation.
extension CollectionsGRPC {
    static func hnswDiff(_ d: Qdrant_HnswConfigDiff) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(d)
        var o: [String: JSONValue] = [:]
        if d.hasM { o["m"] = .uint(d.m) }
        if d.hasEfConstruct { o["ef_construct"] = .uint(d.efConstruct) }
        if d.hasFullScanThreshold { o["full_scan_threshold"] = .uint(d.fullScanThreshold) }
        if d.hasMaxIndexingThreads { o["max_indexing_threads"] = .uint(d.maxIndexingThreads) }
        if d.hasOnDisk { o["on_disk"] = .bool(d.onDisk) }
        if d.hasPayloadM { o["payload_m"] = .uint(d.payloadM) }
        return .object(o)
    }

    /// A stored per-vector diff (validated at create) back as the proto's.
    static func hnswDiff(_ v: JSONValue) -> Qdrant_HnswConfigDiff {
        var d = Qdrant_HnswConfigDiff()
        guard case .object(let o) = v else { return d }
        func n(_ k: String) -> UInt64? {
            switch o[k] {
            case .int(let i)?: return i >= 0 ? UInt64(i) : nil
            case .uint(let u)?: return u
            default: return nil
            }
        }
        if let x = n("m") { d.m = x }
        if let x = n("ef_construct") { d.efConstruct = x }
        if let x = n("full_scan_threshold") { d.fullScanThreshold = x }
        if let x = n("max_indexing_threads") { d.maxIndexingThreads = x }
        if case .bool(let b)? = o["on_disk"] { d.onDisk = b }
        if let x = n("payload_m") { d.payloadM = x }
        return d
    }

    static func optimizersDiff(_ d: Qdrant_OptimizersConfigDiff) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(d)
        var o: [String: JSONValue] = [:]
        if d.hasDeletedThreshold { o["deleted_threshold"] = .double(d.deletedThreshold) }
        if d.hasVacuumMinVectorNumber { o["vacuum_min_vector_number"] = .uint(d.vacuumMinVectorNumber) }
        if d.hasDefaultSegmentNumber { o["default_segment_number"] = .uint(d.defaultSegmentNumber) }
        if d.hasMaxSegmentSize { o["max_segment_size"] = .uint(d.maxSegmentSize) }
        if d.hasMemmapThreshold { o["memmap_threshold"] = .uint(d.memmapThreshold) }
        if d.hasIndexingThreshold { o["indexing_threshold"] = .uint(d.indexingThreshold) }
        if d.hasFlushIntervalSec { o["flush_interval_sec"] = .uint(d.flushIntervalSec) }
        if d.hasDeprecatedMaxOptimizationThreads { o["max_optimization_threads"] = .uint(d.deprecatedMaxOptimizationThreads) }
        return .object(o)
    }

    static func walDiff(_ d: Qdrant_WalConfigDiff) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(d)
        var o: [String: JSONValue] = [:]
        if d.hasWalCapacityMb { o["wal_capacity_mb"] = .uint(d.walCapacityMb) }
        if d.hasWalSegmentsAhead { o["wal_segments_ahead"] = .uint(d.walSegmentsAhead) }
        if d.hasWalRetainClosed { o["wal_retain_closed"] = .uint(d.walRetainClosed) }
        return .object(o)
    }

    /// The collection config a `CreateCollection` asks for: `params`, with the server's defaults
    /// and the request's HNSW and optimizer diffs applied.
    static func config(_ request: Qdrant_CreateCollection, params: CollectionParams, defaults: CollectionDefaults) throws -> CollectionConfig {
        var config = CollectionConfig(params: params)
        try defaults.apply(
            to: &config, hnsw: request.hasHnswConfig ? try hnswDiff(request.hnswConfig) : nil,
            optimizers: request.hasOptimizersConfig ? try optimizersDiff(request.optimizersConfig) : nil,
            wal: request.hasWalConfig ? try walDiff(request.walConfig) : nil)
        return config
    }
}
