import Engine
import GRPCCore
import QdrantProto

/// `qdrant.Points` named-vector RPCs: `UpdateVectors` / `DeleteVectors` (points' vectors, as
/// REST's `points/vectors` routes) and `CreateVectorName` / `DeleteVectorName` (a collection's
/// vector set, as REST's `vectors/{name}` routes).
extension PointsGRPC {
    func updateVectors(request: Qdrant_UpdatePointVectors, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let points = try request.points.map { p -> PointInput in
                try GRPCCall.rejectUnknownFields(p)
                guard p.hasID, p.hasVectors else { throw GRPCConvert.badInput("every point needs an id and vectors") }
                let v = try GRPCConvert.vectors(p.vectors)
                return PointInput(
                    id: try GRPCConvert.pointID(p.id), vectors: v.dense, sparse: v.sparse,
                    multi: try GRPCConvert.multiVectors(p.vectors))
            }
            let wait = request.hasWait && request.wait
            return PointsGRPC.updated(try storage.collection(request.collectionName).updateVectors(points, wait: wait), wait: wait)
        }
    }

    func deleteVectors(request: Qdrant_DeletePointVectors, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let selector = try PointsGRPC.selector(request.pointsSelector, field: "points_selector")
            let wait = request.hasWait && request.wait
            let op = try storage.collection(request.collectionName).deleteVectors(request.vectors.names, selector, wait: wait)
            return PointsGRPC.updated(op, wait: wait)
        }
    }

    func createVectorName(request: Qdrant_CreateVectorNameRequest, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let config: VectorNameConfig
            switch request.vectorConfig {
            case .denseConfig(let d)?:
                try GRPCCall.rejectUnknownFields(d)
                guard d.size >= 1, d.size <= 65536 else { throw GRPCConvert.badInput("dense_config.size must be between 1 and 65536") }
                var v = Qdrant_VectorParams()
                v.size = d.size
                v.distance = d.distance
                if d.hasMultivectorConfig { v.multivectorConfig = d.multivectorConfig }
                var p = try CollectionsGRPC.params(v, label: "dense_config")
                if d.hasDatatype { p.datatype = try CollectionsGRPC.datatype(d.datatype, label: "dense_config.datatype") }
                config = .dense(p)
            case .sparseConfig(let s)?:
                try GRPCCall.rejectUnknownFields(s)
                var p = SparseVectorParams(modifier: s.hasModifier ? CollectionsGRPC.modifier(s.modifier) : nil)
                if s.hasDatatype, let dt = try CollectionsGRPC.datatype(s.datatype, label: "sparse_config.datatype") { p.index = .init(datatype: dt.rawValue) }
                config = .sparse(p)
            case nil: throw GRPCConvert.badInput("`vector_config` must be dense_config or sparse_config")
            }
            try storage.createNamedVector(collection: request.collectionName, vector: request.vectorName, config: config)
            return PointsGRPC.updated(0, wait: request.hasWait && request.wait)
        }
    }

    func deleteVectorName(request: Qdrant_DeleteVectorNameRequest, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            try storage.deleteNamedVector(collection: request.collectionName, vector: request.vectorName)
            return PointsGRPC.updated(0, wait: request.hasWait && request.wait)
        }
    }
}

extension PointsGRPC {
    /// A `PointsSelector` (named `field` in errors) as the engine's selector.
    static func selector(_ s: Qdrant_PointsSelector, field: String) throws -> PointSelector {
        try GRPCCall.rejectUnknownFields(s)
        switch s.pointsSelectorOneOf {
        case .points(let list)?: return .ids(try list.ids.map(GRPCConvert.pointID))
        case .filter(let f)?: return .filter(try GRPCConvert.filter(f))
        case nil: throw GRPCConvert.badInput("`\(field)` must select point ids or a filter")
        }
    }
}

extension CollectionsGRPC {
    /// gRPC's `Datatype` (`Default` is none given).
    static func datatype(_ d: Qdrant_Datatype, label: String) throws -> VectorDatatype? {
        switch d {
        case .default: return nil
        case .float32: return .float32
        case .float16: return .float16
        case .uint8: return .uint8
        case .UNRECOGNIZED(let n): throw GRPCConvert.badInput("\(label) \(n) is not a datatype qdb serves")
        }
    }

    static func proto(_ d: VectorDatatype) -> Qdrant_Datatype {
        switch d {
        case .float32: return .float32
        case .float16: return .float16
        case .uint8: return .uint8
        }
    }

    static func modifier(_ m: Qdrant_Modifier) -> String? { m == .idf ? "idf" : "none" }

    /// `sparse_vectors_config` of a create request, as REST's `sparse_vectors`.
    static func sparse(_ c: Qdrant_SparseVectorConfig) throws -> [String: SparseVectorParams] {
        try GRPCCall.rejectUnknownFields(c)
        return try c.map.mapValues { p in
            try GRPCCall.rejectUnknownFields(p)
            var out = SparseVectorParams(modifier: p.hasModifier ? modifier(p.modifier) : nil)
            if p.hasIndex {
                try GRPCCall.rejectUnknownFields(p.index)
                var i = SparseVectorParams.Index()
                if p.index.hasFullScanThreshold { i.full_scan_threshold = GRPCConvert.int(p.index.fullScanThreshold) }
                if p.index.hasOnDisk { i.on_disk = p.index.onDisk }
                if p.index.hasDatatype { i.datatype = try datatype(p.index.datatype, label: "sparse index datatype")?.rawValue }
                out.index = i
            }
            return out
        }
    }

    static func proto(_ sparse: [String: SparseVectorParams]) -> Qdrant_SparseVectorConfig {
        var c = Qdrant_SparseVectorConfig()
        c.map = sparse.mapValues { p in
            var o = Qdrant_SparseVectorParams()
            if let m = p.modifier { o.modifier = m == "idf" ? .idf : .none }
            if let i = p.index {
                var x = Qdrant_SparseIndexConfig()
                if let t = i.full_scan_threshold { x.fullScanThreshold = UInt64(max(0, t)) }
                if let d = i.on_disk { x.onDisk = d }
                if let d = i.datatype.flatMap(VectorDatatype.init(rawValue:)) { x.datatype = proto(d) }
                o.index = x
            }
            return o
        }
        return c
    }
}
