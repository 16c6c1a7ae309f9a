import Engine
import GRPCCore
import QdrantProto

extension Qdrant_SearchBatchResponse: TimedResponse {}
extension Qdrant_SearchGroupsResponse: TimedResponse {}
extension Qdrant_RecommendResponse: TimedResponse {}
extension Qdrant_RecommendBatchResponse: TimedResponse {}
extension Qdrant_RecommendGroupsResponse: TimedResponse {}
extension Qdrant_DiscoverResponse: TimedResponse {}
extension Qdrant_DiscoverBatchResponse: TimedResponse {}
extension Qdrant_SearchMatrixPairsResponse: TimedResponse {}
extension Qdrant_SearchMatrixOffsetsResponse: TimedResponse {}

/// The RPCs before the Universal Query API (search batch and groups, recommend, discover) and the
/// distance matrix, read into the engine requests REST's legacy routes build (`LegacyBody`):
/// the same query engine answers both APIs.
extension PointsGRPC {
    func searchBatch(request: Qdrant_SearchBatchPoints, context: ServerContext) async throws -> Qdrant_SearchBatchResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let c = try storage.collection(request.collectionName)
            let searches = try request.searchPoints.map(PointsGRPC.searchRequest)
            var r = Qdrant_SearchBatchResponse()
            r.result = try ParallelMap.map(searches) { s in
                var b = Qdrant_BatchResult()
                b.result = try c.search(s).map { GRPCConvert.scored($0) }
                return b
            }
            return r
        }
    }

    func searchGroups(request m: Qdrant_SearchPointGroups, context: ServerContext) async throws -> Qdrant_SearchGroupsResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(m)
            var q = QueryRequest()
            q.query = .nearest(.vector(m.vector), mmr: nil)
            q.using = m.hasVectorName ? m.vectorName : ""
            q.filter = m.hasFilter ? try GRPCConvert.filter(m.filter) : nil
            q.scoreThreshold = m.hasScoreThreshold ? m.scoreThreshold : nil
            var r = Qdrant_SearchGroupsResponse()
            r.result = try PointsGRPC.groups(
                storage, m.collectionName, q, groupBy: m.groupBy, size: m.groupSize, limit: m.limit,
                payload: m.hasWithPayload ? m.withPayload : nil, vectors: m.hasWithVectors ? m.withVectors : nil,
                lookup: m.hasWithLookup ? m.withLookup : nil)
            return r
        }
    }

    func recommend(request: Qdrant_RecommendPoints, context: ServerContext) async throws -> Qdrant_RecommendResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            var r = Qdrant_RecommendResponse()
            r.result = try PointsGRPC.run(storage, request.collectionName, try PointsGRPC.recommend(request))
            return r
        }
    }

    func recommendBatch(request: Qdrant_RecommendBatchPoints, context: ServerContext) async throws -> Qdrant_RecommendBatchResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let queries = try request.recommendPoints.map(PointsGRPC.recommend)
            var r = Qdrant_RecommendBatchResponse()
            r.result = try ParallelMap.map(queries) { q in
                var b = Qdrant_BatchResult()
                b.result = try PointsGRPC.run(storage, request.collectionName, q)
                return b
            }
            return r
        }
    }

    func recommendGroups(request m: Qdrant_RecommendPointGroups, context: ServerContext) async throws -> Qdrant_RecommendGroupsResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(m)
            var q = QueryRequest()
            q.query = .recommend(
                positive: try PointsGRPC.examples(m.positive, m.positiveVectors), negative: try PointsGRPC.examples(m.negative, m.negativeVectors),
                strategy: m.hasStrategy ? PointsGRPC.strategy(m.strategy) : .averageVector)
            q.using = m.hasUsing ? m.using : ""
            q.filter = m.hasFilter ? try GRPCConvert.filter(m.filter) : nil
            q.scoreThreshold = m.hasScoreThreshold ? m.scoreThreshold : nil
            if m.hasLookupFrom { q.lookupFrom = try GRPCQuery.lookup(m.lookupFrom) }
            var r = Qdrant_RecommendGroupsResponse()
            r.result = try PointsGRPC.groups(
                storage, m.collectionName, q, groupBy: m.groupBy, size: m.groupSize, limit: m.limit,
                payload: m.hasWithPayload ? m.withPayload : nil, vectors: m.hasWithVectors ? m.withVectors : nil,
                lookup: m.hasWithLookup ? m.withLookup : nil)
            return r
        }
    }

    func discover(request: Qdrant_DiscoverPoints, context: ServerContext) async throws -> Qdrant_DiscoverResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            var r = Qdrant_DiscoverResponse()
            r.result = try PointsGRPC.run(storage, request.collectionName, try PointsGRPC.discover(request))
            return r
        }
    }

    func discoverBatch(request: Qdrant_DiscoverBatchPoints, context: ServerContext) async throws -> Qdrant_DiscoverBatchResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let queries = try request.discoverPoints.map(PointsGRPC.discover)
            var r = Qdrant_DiscoverBatchResponse()
            r.result = try ParallelMap.map(queries) { q in
                var b = Qdrant_BatchResult()
                b.result = try PointsGRPC.run(storage, request.collectionName, q)
                return b
            }
            return r
        }
    }

    func searchMatrixPairs(request: Qdrant_SearchMatrixPoints, context: ServerContext) async throws -> Qdrant_SearchMatrixPairsResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            let m = try PointsGRPC.matrix(storage, request)
            var r = Qdrant_SearchMatrixPairsResponse()
            r.result.pairs = zip(m.ids, m.rows).flatMap { a, row in
                row.map { n in
                    var p = Qdrant_SearchMatrixPair()
                    p.a = GRPCConvert.proto(a)
                    p.b = GRPCConvert.proto(m.ids[n.index])
                    p.score = n.score
                    return p
                }
            }
            return r
        }
    }

    func searchMatrixOffsets(request: Qdrant_SearchMatrixPoints, context: ServerContext) async throws -> Qdrant_SearchMatrixOffsetsResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            let m = try PointsGRPC.matrix(storage, request)
            var r = Qdrant_SearchMatrixOffsetsResponse()
            r.result.offsetsRow = m.rows.enumerated().flatMap { i, row in row.map { _ in UInt64(i) } }
            r.result.offsetsCol = m.rows.flatMap { $0.map { UInt64($0.index) } }
            r.result.scores = m.rows.flatMap { $0.map(\.score) }
            r.result.ids = m.ids.map(GRPCConvert.proto)
            return r
        }
    }

    // MARK: reading the messages

    /// A legacy query with its selectors (REST's defaults: no payload, no vectors).
    struct Legacy {
        var request: QueryRequest
        var payload: PayloadSelector
        var vectors: VectorSelector
    }

    static func run(_ storage: Storage, _ name: String, _ q: Legacy) throws -> [Qdrant_ScoredPoint] {
        try storage.collection(name).query(q.request, payload: q.payload, vectors: q.vectors, lookup: { try storage.collection($0) })
            .map(GRPCQuery.scored)
    }

    static func limit(_ n: UInt64) throws -> Int {
        guard n >= 1 else { throw GRPCConvert.badInput("limit must be at least 1") }
        return GRPCConvert.int(n)
    }

    static func strategy(_ s: Qdrant_RecommendStrategy) -> RecommendStrategy {
        switch s {
        case .bestScore: return .bestScore
        case .sumScores: return .sumScores
        default: return .averageVector
        }
    }

    static func examples(_ ids: [Qdrant_PointId], _ vectors: [Qdrant_Vector]) throws -> [VectorInput] {
        try ids.map { .id(try GRPCConvert.pointID($0)) } + vectors.map { .vector(try GRPCConvert.floats($0)) }
    }

    static func example(_ e: Qdrant_VectorExample) throws -> VectorInput {
        try GRPCCall.rejectUnknownFields(e)
        switch e.example {
        case .id(let id)?: return .id(try GRPCConvert.pointID(id))
        case .vector(let v)?: return .vector(try GRPCConvert.floats(v))
        case nil: throw GRPCConvert.badInput("an example needs a point id or a vector")
        }
    }

    static func recommend(_ m: Qdrant_RecommendPoints) throws -> Legacy {
        try GRPCCall.rejectUnknownFields(m)
        var q = QueryRequest()
        q.query = .recommend(
            positive: try examples(m.positive, m.positiveVectors), negative: try examples(m.negative, m.negativeVectors),
            strategy: m.hasStrategy ? strategy(m.strategy) : .averageVector)
        q.using = m.hasUsing ? m.using : ""
        q.filter = m.hasFilter ? try GRPCConvert.filter(m.filter) : nil
        q.limit = try limit(m.limit)
        q.offset = m.hasOffset ? GRPCConvert.int(m.offset) : 0
        q.scoreThreshold = m.hasScoreThreshold ? m.scoreThreshold : nil
        if m.hasLookupFrom { q.lookupFrom = try GRPCQuery.lookup(m.lookupFrom) }
        return Legacy(
            request: q, payload: try GRPCConvert.payloadSelector(m.hasWithPayload ? m.withPayload : nil, default: .none),
            vectors: try GRPCConvert.vectorSelector(m.hasWithVectors ? m.withVectors : nil, default: .none))
    }

    static func discover(_ m: Qdrant_DiscoverPoints) throws -> Legacy {
        try GRPCCall.rejectUnknownFields(m)
        var q = QueryRequest()
        let pairs = try m.context.map { p in
            try GRPCCall.rejectUnknownFields(p)
            return ContextPair(positive: try example(p.positive), negative: try example(p.negative))
        }
        if m.hasTarget {
            try GRPCCall.rejectUnknownFields(m.target)
            guard case .single(let t)? = m.target.target else { throw GRPCConvert.badInput("target needs a single example") }
            q.query = .discover(target: try example(t), context: pairs)
        } else {
            q.query = .context(pairs)
        }
        q.using = m.hasUsing ? m.using : ""
        q.filter = m.hasFilter ? try GRPCConvert.filter(m.filter) : nil
        q.limit = try limit(m.limit)
        q.offset = m.hasOffset ? GRPCConvert.int(m.offset) : 0
        if m.hasLookupFrom { q.lookupFrom = try GRPCQuery.lookup(m.lookupFrom) }
        return Legacy(
            request: q, payload: try GRPCConvert.payloadSelector(m.hasWithPayload ? m.withPayload : nil, default: .none),
            vectors: try GRPCConvert.vectorSelector(m.hasWithVectors ? m.withVectors : nil, default: .none))
    }

    static func groups(
        _ storage: Storage, _ name: String, _ q: QueryRequest, groupBy: String, size: UInt32, limit: UInt32,
        payload: Qdrant_WithPayloadSelector?, vectors: Qdrant_WithVectorsSelector?, lookup: Qdrant_WithLookup?
    ) throws -> Qdrant_GroupsResult {
        guard size >= 1 else { throw GRPCConvert.badInput("group_size must be at least 1") }
        let groups = try storage.collection(name).queryGroups(
            q, groupBy: try GRPCQuery.path(groupBy), groupSize: Int(size), limit: try self.limit(UInt64(limit)),
            payload: try GRPCConvert.payloadSelector(payload, default: .none),
            vectors: try GRPCConvert.vectorSelector(vectors, default: .none),
            withLookup: try lookup.map(GRPCQuery.groupLookup), lookup: { try storage.collection($0) })
        return GRPCQuery.groups(groups)
    }

    static func matrix(_ storage: Storage, _ m: Qdrant_SearchMatrixPoints) throws -> DistanceMatrix {
        try GRPCCall.rejectUnknownFields(m)
        let sample = m.hasSample ? GRPCConvert.int(m.sample) : 10
        let limit = m.hasLimit ? GRPCConvert.int(m.limit) : 3
        guard sample >= 2 else { throw GRPCConvert.badInput("sample must be at least 2") }
        guard limit >= 1 else { throw GRPCConvert.badInput("limit must be at least 1") }
        return try storage.collection(m.collectionName).distanceMatrix(
            filter: m.hasFilter ? try GRPCConvert.filter(m.filter) : nil, sample: sample, limit: limit, using: m.hasUsing ? m.using : "")
    }
}
