import Engine
import GRPCCore
import QdrantProto

extension Qdrant_SearchBatchResponse: GRPCResultResponse {}
extension Qdrant_SearchGroupsResponse: GRPCResultResponse {}
extension Qdrant_RecommendResponse: GRPCResultResponse {}
extension Qdrant_RecommendBatchResponse: GRPCResultResponse {}
extension Qdrant_RecommendGroupsResponse: GRPCResultResponse {}
extension Qdrant_DiscoverResponse: GRPCResultResponse {}
extension Qdrant_DiscoverBatchResponse: GRPCResultResponse {}
extension Qdrant_SearchMatrixPairsResponse: GRPCResultResponse {}
extension Qdrant_SearchMatrixOffsetsResponse: GRPCResultResponse {}

/// The RPCs before the Universal Query API (search batch and groups, recommend, discover) and the
/// distance matrix, read into the engine requests REST's legacy routes build (`LegacyBody`):
/// the same query engine answers both APIs.
extension PointsGRPC {
    func searchBatch(request: Qdrant_SearchBatchPoints, context: ServerContext) async throws -> Qdrant_SearchBatchResponse {
        try await respond { storage in
            try GRPCCall.rejectUnknownFields(request)
            let c = try storage.collection(request.collectionName)
            return try GRPCQuery.batch(request.searchPoints) { try PointsGRPC.answer($0, c, storage) }
        }
    }

    func searchGroups(request m: Qdrant_SearchPointGroups, context: ServerContext) async throws -> Qdrant_SearchGroupsResponse {
        try await respond { storage in
            try GRPCCall.rejectUnknownFields(m)
            var q = QueryRequest()
            q.query = .nearest(m.hasSparseIndices ? .sparse(SparseVector(indices: m.sparseIndices.data, values: m.vector)) : .vector(m.vector), mmr: nil)
            q.using = m.hasVectorName ? m.vectorName : ""
            q.filter = m.hasFilter ? try GRPCConvert.filter(m.filter) : nil
            q.scoreThreshold = m.hasScoreThreshold ? m.scoreThreshold : nil
            try q.read(params: m)
            return try PointsGRPC.groups(storage, m, q)
        }
    }

    func recommend(request: Qdrant_RecommendPoints, context: ServerContext) async throws -> Qdrant_RecommendResponse {
        try await respond { try PointsGRPC.run($0, request.collectionName, try PointsGRPC.recommend(request)) }
    }

    func recommendBatch(request: Qdrant_RecommendBatchPoints, context: ServerContext) async throws -> Qdrant_RecommendBatchResponse {
        try await respond { storage in
            try GRPCCall.rejectUnknownFields(request)
            let queries = try request.recommendPoints.map(PointsGRPC.recommend)
            return try GRPCQuery.batch(queries) { try PointsGRPC.run(storage, request.collectionName, $0) }
        }
    }

    func recommendGroups(request m: Qdrant_RecommendPointGroups, context: ServerContext) async throws -> Qdrant_RecommendGroupsResponse {
        try await respond { storage in
            try GRPCCall.rejectUnknownFields(m)
            var q = QueryRequest()
            q.query = .recommend(
                positive: try PointsGRPC.examples(m.positive, m.positiveVectors), negative: try PointsGRPC.examples(m.negative, m.negativeVectors),
                strategy: m.hasStrategy ? PointsGRPC.strategy(m.strategy) : .averageVector)
            try q.read(thresholded: m)
            return try PointsGRPC.groups(storage, m, q)
        }
    }

    func discover(request: Qdrant_DiscoverPoints, context: ServerContext) async throws -> Qdrant_DiscoverResponse {
        try await respond { try PointsGRPC.run($0, request.collectionName, try PointsGRPC.discover(request)) }
    }

    func discoverBatch(request: Qdrant_DiscoverBatchPoints, context: ServerContext) async throws -> Qdrant_DiscoverBatchResponse {
        try await respond { storage in
            try GRPCCall.rejectUnknownFields(request)
            let queries = try request.discoverPoints.map(PointsGRPC.discover)
            return try GRPCQuery.batch(queries) { try PointsGRPC.run(storage, request.collectionName, $0) }
        }
    }

    func searchMatrixPairs(request: Qdrant_SearchMatrixPoints, context: ServerContext) async throws -> Qdrant_SearchMatrixPairsResponse {
        try await respond { storage in
            let m = try PointsGRPC.matrix(storage, request)
            var pairs = Qdrant_SearchMatrixPairs()
            pairs.pairs = zip(m.ids, m.rows).flatMap { a, row in
                row.map { n in
                    var p = Qdrant_SearchMatrixPair()
                    p.a = GRPCConvert.proto(a)
                    p.b = GRPCConvert.proto(m.ids[n.index])
                    p.score = n.score
                    return p
                }
            }
            return pairs
        }
    }

    func searchMatrixOffsets(request: Qdrant_SearchMatrixPoints, context: ServerContext) async throws -> Qdrant_SearchMatrixOffsetsResponse {
        try await respond { storage in
            let m = try PointsGRPC.matrix(storage, request)
            var offsets = Qdrant_SearchMatrixOffsets()
            offsets.offsetsRow = m.rows.enumerated().flatMap { i, row in row.map { _ in UInt64(i) } }
            offsets.offsetsCol = m.rows.flatMap { $0.map { UInt64($0.index) } }
            offsets.scores = m.rows.flatMap { $0.map(\.score) }
            offsets.ids = m.ids.map(GRPCConvert.proto)
            return offsets
        }
    }

    // MARK: reading the messages

    /// Runs a query with its selectors on collection `name`.
    static func run(_ storage: Storage, _ name: String, _ q: GRPCQuery.Points) throws -> [Qdrant_ScoredPoint] {
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

    static func recommend(_ m: Qdrant_RecommendPoints) throws -> GRPCQuery.Points {
        try GRPCCall.rejectUnknownFields(m)
        var q = QueryRequest()
        q.query = .recommend(
            positive: try examples(m.positive, m.positiveVectors), negative: try examples(m.negative, m.negativeVectors),
            strategy: m.hasStrategy ? strategy(m.strategy) : .averageVector)
        try q.read(thresholded: m)
        q.limit = try limit(m.limit)
        q.offset = m.hasOffset ? GRPCConvert.int(m.offset) : 0
        return try GRPCQuery.selected(q, by: m)
    }

    static func discover(_ m: Qdrant_DiscoverPoints) throws -> GRPCQuery.Points {
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
        try q.read(target: m)
        q.limit = try limit(m.limit)
        q.offset = m.hasOffset ? GRPCConvert.int(m.offset) : 0
        return try GRPCQuery.selected(q, by: m)
    }

    /// Runs a legacy group search: `q` grouped as `m` asks.
    static func groups(_ storage: Storage, _ m: some GRPCLegacyGroups, _ q: QueryRequest) throws -> Qdrant_GroupsResult {
        guard m.groupSize >= 1 else { throw GRPCConvert.badInput("group_size must be at least 1") }
        let groups = try storage.collection(m.collectionName).queryGroups(
            q, groupBy: try GRPCQuery.path(m.groupBy), groupSize: Int(m.groupSize), limit: try self.limit(UInt64(m.limit)),
            payload: try GRPCConvert.payloadSelector(m.hasWithPayload ? m.withPayload : nil, default: .none),
            vectors: try GRPCConvert.vectorSelector(m.hasWithVectors ? m.withVectors : nil, default: .none),
            withLookup: m.hasWithLookup ? try GRPCQuery.groupLookup(m.withLookup) : nil, lookup: { try storage.collection($0) })
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
