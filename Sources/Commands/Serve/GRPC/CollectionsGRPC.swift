import Engine
import GRPCCore
import QdrantProto

/// `qdrant.Collections`: create, get, list, delete and check collections, as the REST routes do.
struct CollectionsGRPC: Qdrant_Collections.SimpleServiceProtocol {
    let state: APIState

    func get(request: Qdrant_GetCollectionInfoRequest, context: ServerContext) async throws -> Qdrant_GetCollectionInfoResponse {
        try GRPCCall.rejectUnknownFields(request)
        let storage = state.storage
        return try await GRPCCall.run {
            var r = Qdrant_GetCollectionInfoResponse()
            r.result = CollectionsGRPC.proto(try storage.collection(request.collectionName).info())
            return r
        }
    }

    func list(request: Qdrant_ListCollectionsRequest, context: ServerContext) async throws -> Qdrant_ListCollectionsResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            var r = Qdrant_ListCollectionsResponse()
            r.collections = storage.collectionNames().map { name in
                var d = Qdrant_CollectionDescription()
                d.name = name
                return d
            }
            return r
        }
    }

    func create(request: Qdrant_CreateCollection, context: ServerContext) async throws -> Qdrant_CollectionOperationResponse {
        let storage = state.storage, defaults = state.config.collectionDefaults
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let vectors: VectorsConfig = request.hasVectorsConfig ? try CollectionsGRPC.vectors(request.vectorsConfig) : .named([:])
            var params = CollectionParams(vectors: vectors, shardNumber: request.hasShardNumber ? Int(request.shardNumber) : 1)
            params.replication_factor = request.hasReplicationFactor ? Int(request.replicationFactor) : 1
            params.write_consistency_factor = request.hasWriteConsistencyFactor ? Int(request.writeConsistencyFactor) : 1
            params.on_disk_payload = request.hasOnDiskPayload ? request.onDiskPayload : true
            if request.hasSparseVectorsConfig, !request.sparseVectorsConfig.map.isEmpty {
                params.sparse_vectors = try CollectionsGRPC.sparse(request.sparseVectorsConfig)
            }
            let config = try CollectionsGRPC.config(request, params: params, defaults: defaults)
            try storage.createCollection(request.collectionName, config: config)
            var r = Qdrant_CollectionOperationResponse()
            r.result = true
            return r
        }
    }

    func delete(request: Qdrant_DeleteCollection, context: ServerContext) async throws -> Qdrant_CollectionOperationResponse {
        try GRPCCall.rejectUnknownFields(request)
        let storage = state.storage
        return try await GRPCCall.run {
            var r = Qdrant_CollectionOperationResponse()
            r.result = try storage.deleteCollection(request.collectionName)
            return r
        }
    }

    func collectionExists(request: Qdrant_CollectionExistsRequest, context: ServerContext) async throws -> Qdrant_CollectionExistsResponse {
        try GRPCCall.rejectUnknownFields(request)
        let storage = state.storage
        return try await GRPCCall.run {
            var r = Qdrant_CollectionExistsResponse()
            r.result.exists = storage.exists(request.collectionName)
            return r
        }
    }

    // MARK: conversions

    static let distances: [(Qdrant_Distance, Distance)] = [(.cosine, .cosine), (.euclid, .euclid), (.dot, .dot), (.manhattan, .manhattan)]

    static func vectors(_ c: Qdrant_VectorsConfig) throws -> VectorsConfig {
        try GRPCCall.rejectUnknownFields(c)
        switch c.config {
        case .params(let p)?: return .single(try params(p, label: "vectors_config"))
        case .paramsMap(let m)?:
            try GRPCCall.rejectUnknownFields(m)
            var out: [String: VectorParams] = [:]
            for (name, p) in m.map { out[name] = try params(p, label: "vectors_config.\(name)") }
            return .named(out)
        case nil: return .named([:])
        }
    }

    static func params(_ p: Qdrant_VectorParams, label: String) throws -> VectorParams {
        try GRPCCall.rejectUnknownFields(p)
        guard let distance = distances.first(where: { $0.0 == p.distance })?.1 else {
            throw GRPCConvert.badInput("\(label).distance must be Cosine, Euclid, Dot or Manhattan")
        }
        var v = VectorParams(size: GRPCConvert.int(p.size), distance: distance)
        if p.hasOnDisk { v.on_disk = p.onDisk }
        v.multivector_config = try multiConfig(p)
        if p.hasDatatype { v.datatype = try datatype(p.datatype, label: "\(label).datatype") }
        if p.hasHnswConfig { v.hnsw_config = try hnswDiff(p.hnswConfig) }
        return v
    }

    static func proto(_ v: VectorParams) -> Qdrant_VectorParams {
        var p = Qdrant_VectorParams()
        p.size = UInt64(max(0, v.size))
        p.distance = distances.first { $0.1 == v.distance }?.0 ?? .unknownDistance
        if let d = v.on_disk { p.onDisk = d }
        setMultiConfig(v, on: &p)
        if let d = v.datatype { p.datatype = proto(d) }
        if let h = v.hnsw_config { p.hnswConfig = hnswDiff(h) }
        return p
    }

    static func proto(_ v: VectorsConfig) -> Qdrant_VectorsConfig {
        var c = Qdrant_VectorsConfig()
        switch v {
        case .single(let p): c.params = proto(p)
        case .named(let m):
            var map = Qdrant_VectorParamsMap()
            map.map = m.mapValues(proto)
            c.paramsMap = map
        }
        return c
    }

    static let schemaTypes: [String: Qdrant_PayloadSchemaType] = [
        "keyword": .keyword, "integer": .integer, "float": .float, "geo": .geo, "text": .text,
        "bool": .bool, "datetime": .datetime, "uuid": .uuid,
    ]

    /// REST's `CollectionInfo` as Qdrant's gRPC message.
    static func proto(_ info: CollectionInfo) -> Qdrant_CollectionInfo {
        var r = Qdrant_CollectionInfo()
        r.status = .green
        r.optimizerStatus.ok = true
        r.segmentsCount = UInt64(info.segments_count)
        r.pointsCount = UInt64(info.points_count)
        r.indexedVectorsCount = UInt64(info.indexed_vectors_count)
        let c = info.config
        r.config.params.shardNumber = UInt32(c.params.shard_number)
        r.config.params.onDiskPayload = c.params.on_disk_payload
        r.config.params.vectorsConfig = proto(c.params.vectors)
        if let sparse = c.params.sparse_vectors { r.config.params.sparseVectorsConfig = proto(sparse) }
        r.config.params.replicationFactor = UInt32(c.params.replication_factor)
        r.config.params.writeConsistencyFactor = UInt32(c.params.write_consistency_factor)
        let h = c.hnsw_config
        r.config.hnswConfig.m = UInt64(h.m)
        r.config.hnswConfig.efConstruct = UInt64(h.ef_construct)
        r.config.hnswConfig.fullScanThreshold = UInt64(h.full_scan_threshold)
        r.config.hnswConfig.maxIndexingThreads = UInt64(h.max_indexing_threads)
        r.config.hnswConfig.onDisk = h.on_disk
        let o = c.optimizer_config
        r.config.optimizerConfig.deletedThreshold = o.deleted_threshold
        r.config.optimizerConfig.vacuumMinVectorNumber = UInt64(o.vacuum_min_vector_number)
        r.config.optimizerConfig.defaultSegmentNumber = UInt64(o.default_segment_number)
        if let x = o.max_segment_size { r.config.optimizerConfig.maxSegmentSize = UInt64(x) }
        if let x = o.memmap_threshold { r.config.optimizerConfig.memmapThreshold = UInt64(x) }
        if let x = o.indexing_threshold { r.config.optimizerConfig.indexingThreshold = UInt64(x) }
        r.config.optimizerConfig.flushIntervalSec = UInt64(o.flush_interval_sec)
        let w = c.wal_config
        r.config.walConfig.walCapacityMb = UInt64(w.wal_capacity_mb)
        r.config.walConfig.walSegmentsAhead = UInt64(w.wal_segments_ahead)
        r.config.walConfig.walRetainClosed = UInt64(w.wal_retain_closed)
        for (field, schema) in info.payload_schema {
            var s = Qdrant_PayloadSchemaInfo()
            s.dataType = schemaTypes[schema.data_type] ?? .unknownType
            s.points = UInt64(schema.points)
            r.payloadSchema[field] = s
        }
        return r
    }
}
