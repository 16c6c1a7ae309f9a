import Engine
import QdrantProto

/// `hnsw_config` and `optimizers_config` of a gRPC `CreateCollection`, read as REST's create
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

    /// The collection config a `CreateCollection` asks for: `params`, with the server's defaults
    /// and the request's HNSW and optimizer diffs applied.
    static func config(_ request: Qdrant_CreateCollection, params: CollectionParams, defaults: CollectionDefaults) throws -> CollectionConfig {
        var config = CollectionConfig(params: params)
        try defaults.apply(
            to: &config, hnsw: request.hasHnswConfig ? try hnswDiff(request.hnswConfig) : nil,
            optimizers: request.hasOptimizersConfig ? try optimizersDiff(request.optimizersConfig) : nil)
        return config
    }
}
