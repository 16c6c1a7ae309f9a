import Engine
import GRPCCore
import QdrantProto

/// `qdrant.Points`: upsert, delete, retrieve, scroll, count and legacy search, over the same engine
/// calls and defaults as the REST routes; the query RPCs are in `PointsGRPC+Query.swift`.
struct PointsGRPC: Qdrant_Points.SimpleServiceProtocol {
    let state: APIState

    func upsert(request: Qdrant_UpsertPoints, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let points = try request.points.map(GRPCConvert.point)
            let wait = request.hasWait && request.wait
            let filter = request.hasUpdateFilter ? try GRPCConvert.filter(request.updateFilter) : nil
            let mode = request.hasUpdateMode ? try PointsGRPC.mode(request.updateMode) : .upsert
            let op = try storage.collection(request.collectionName).upsert(points, wait: wait, mode: mode, filter: filter)
            return PointsGRPC.updated(op, wait: wait)
        }
    }

    func delete(request: Qdrant_DeletePoints, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let selector = try PointsGRPC.selector(request.points, field: "points")
            let wait = request.hasWait && request.wait
            let op = try storage.collection(request.collectionName).delete(selector, wait: wait)
            return PointsGRPC.updated(op, wait: wait)
        }
    }

    func get(request: Qdrant_GetPoints, context: ServerContext) async throws -> Qdrant_GetResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let ids = try request.ids.map(GRPCConvert.pointID)
            let payload = try GRPCConvert.payloadSelector(request.hasWithPayload ? request.withPayload : nil, default: .all)
            let vectors = try GRPCConvert.vectorSelector(request.hasWithVectors ? request.withVectors : nil, default: .none)
            var r = Qdrant_GetResponse()
            r.result = try storage.collection(request.collectionName).retrieve(ids, payload: payload, vectors: vectors)
                .map(GRPCConvert.retrieved)
            return r
        }
    }

    func scroll(request: Qdrant_ScrollPoints, context: ServerContext) async throws -> Qdrant_ScrollResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let limit = try scrollLimit(request.hasLimit ? Int(request.limit) : nil)
            let (records, next) = try storage.collection(request.collectionName).scroll(
                filter: request.hasFilter ? try GRPCConvert.filter(request.filter) : nil,
                offset: request.hasOffset ? try GRPCConvert.pointID(request.offset) : nil, limit: limit,
                payload: try GRPCConvert.payloadSelector(request.hasWithPayload ? request.withPayload : nil, default: .all),
                vectors: try GRPCConvert.vectorSelector(request.hasWithVectors ? request.withVectors : nil, default: .none))
            var r = Qdrant_ScrollResponse()
            r.result = records.map(GRPCConvert.retrieved)
            if let next { r.nextPageOffset = GRPCConvert.proto(next) }
            return r
        }
    }

    func count(request: Qdrant_CountPoints, context: ServerContext) async throws -> Qdrant_CountResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let filter = request.hasFilter ? try GRPCConvert.filter(request.filter) : nil
            var r = Qdrant_CountResponse()
            r.result.count = UInt64(try storage.collection(request.collectionName).count(filter: filter))
            return r
        }
    }

    func search(request: Qdrant_SearchPoints, context: ServerContext) async throws -> Qdrant_SearchResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            var r = Qdrant_SearchResponse()
            r.result = try PointsGRPC.answer(request, storage.collection(request.collectionName), storage)
            return r
        }
    }

    /// A legacy search: dense through `Collection.search`; sparse (`sparse_indices` with the
    /// values in `vector`, as Qdrant's clients send it) through the query engine, as REST's
    /// legacy search of a `{"name", "vector": {indices, values}}` does (`LegacyBody`).
    static func answer(_ m: Qdrant_SearchPoints, _ c: Collection, _ storage: Storage) throws -> [Qdrant_ScoredPoint] {
        guard m.hasSparseIndices else { return try c.search(try searchRequest(m)).map { GRPCConvert.scored($0) } }
        try GRPCCall.rejectUnknownFields(m)
        var q = QueryRequest()
        q.query = .nearest(.sparse(SparseVector(indices: m.sparseIndices.data, values: m.vector)), mmr: nil)
        q.using = m.hasVectorName ? m.vectorName : ""
        q.filter = m.hasFilter ? try GRPCConvert.filter(m.filter) : nil
        q.limit = GRPCConvert.int(m.limit)
        q.offset = m.hasOffset ? GRPCConvert.int(m.offset) : 0
        q.scoreThreshold = m.hasScoreThreshold ? m.scoreThreshold : nil
        try q.read(params: m)
        let payload = try GRPCConvert.payloadSelector(m.hasWithPayload ? m.withPayload : nil, default: .none)
        let vectors = try GRPCConvert.vectorSelector(m.hasWithVectors ? m.withVectors : nil, default: .none)
        return try c.query(q, payload: payload, vectors: vectors, lookup: { try storage.collection($0) }).map(GRPCQuery.scored)
    }

    static func searchRequest(_ request: Qdrant_SearchPoints) throws -> SearchRequest {
        try GRPCCall.rejectUnknownFields(request)
        var r = SearchRequest(
            vector: request.vector, using: request.hasVectorName ? request.vectorName : "",
            filter: request.hasFilter ? try GRPCConvert.filter(request.filter) : nil,
            limit: GRPCConvert.int(request.limit), offset: request.hasOffset ? GRPCConvert.int(request.offset) : 0,
            scoreThreshold: request.hasScoreThreshold ? request.scoreThreshold : nil,
            payload: try GRPCConvert.payloadSelector(request.hasWithPayload ? request.withPayload : nil, default: .none),
            vectors: try GRPCConvert.vectorSelector(request.hasWithVectors ? request.withVectors : nil, default: .none))
        if request.hasParams { r.params = try GRPCConvert.searchParams(request.params) }
        return r
    }

    static func updated(_ op: UInt64, wait: Bool) -> Qdrant_PointsOperationResponse {
        var r = Qdrant_PointsOperationResponse()
        r.result.operationID = op
        r.result.status = wait ? .completed : .acknowledged
        return r
    }
}

extension WithPayload {
    init(selector: PayloadSelector) { self.selector = selector }
}

extension WithVector {
    init(selector: VectorSelector) { self.selector = selector }
}
