import Engine
import GRPCCore
import QdrantProto

extension Qdrant_QueryBatchResponse: GRPCResultResponse {}
extension Qdrant_QueryGroupsResponse: GRPCResultResponse {}
extension Qdrant_FacetResponse: TimedResponse {}

/// The Universal Query API over gRPC: the messages read into the engine's `QueryRequest`, run by
/// `Collection.query` as REST runs them.
extension PointsGRPC {
    func query(request: Qdrant_QueryPoints, context: ServerContext) async throws -> Qdrant_QueryResponse {
        try await respond { try PointsGRPC.run($0, request.collectionName, try GRPCQuery.points(request)) }
    }

    func queryBatch(request: Qdrant_QueryBatchPoints, context: ServerContext) async throws -> Qdrant_QueryBatchResponse {
        try await respond { storage in
            try GRPCCall.rejectUnknownFields(request)
            _ = try storage.collection(request.collectionName)
            let queries = try request.queryPoints.map(GRPCQuery.points)
            return try GRPCQuery.batch(queries) { try PointsGRPC.run(storage, request.collectionName, $0) }
        }
    }

    func queryGroups(request: Qdrant_QueryPointGroups, context: ServerContext) async throws -> Qdrant_QueryGroupsResponse {
        try await respond { storage in
            try GRPCCall.rejectUnknownFields(request)
            var q = QueryRequest()
            q.prefetch = try request.prefetch.map(GRPCQuery.prefetch)
            if request.hasQuery { q.query = try GRPCQuery.kind(request.query) }
            try q.read(thresholded: request)
            let lookup = request.hasWithLookup ? try GRPCQuery.groupLookup(request.withLookup) : nil
            let groupBy = try GRPCQuery.path(request.groupBy)
            let groups = try storage.collection(request.collectionName).queryGroups(
                q, groupBy: groupBy, groupSize: request.hasGroupSize ? GRPCConvert.int(request.groupSize) : 3,
                limit: request.hasLimit ? GRPCConvert.int(request.limit) : 10,
                payload: try GRPCConvert.payloadSelector(request.hasWithPayload ? request.withPayload : nil, default: .none),
                vectors: try GRPCConvert.vectorSelector(request.hasWithVectors ? request.withVectors : nil, default: .none),
                withLookup: lookup, lookup: { try storage.collection($0) })
            return GRPCQuery.groups(groups)
        }
    }

    func facet(request: Qdrant_FacetCounts, context: ServerContext) async throws -> Qdrant_FacetResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let hits = try storage.collection(request.collectionName).facet(
                key: try GRPCQuery.path(request.key), filter: request.hasFilter ? try GRPCConvert.filter(request.filter) : nil,
                limit: request.hasLimit ? GRPCConvert.int(request.limit) : 10)
            var r = Qdrant_FacetResponse()
            r.hits = hits.map { h in
                var fh = Qdrant_FacetHit()
                switch h.value {
                case .string(let s): fh.value.stringValue = s
                case .int(let i): fh.value.integerValue = i
                case .uint(let u): fh.value.integerValue = Int64(clamping: u)
                case .bool(let b): fh.value.boolValue = b
                default: break
                }
                fh.count = UInt64(h.count)
                return fh
            }
            return r
        }
    }
}

/// gRPC query messages as engine requests.
enum GRPCQuery {
    struct Points {
        var request: QueryRequest
        var payload: PayloadSelector
        var vectors: VectorSelector
    }

    static func points(_ m: Qdrant_QueryPoints) throws -> Points {
        try GRPCCall.rejectUnknownFields(m)
        var q = QueryRequest()
        q.prefetch = try m.prefetch.map(prefetch)
        if m.hasQuery { q.query = try kind(m.query) }
        try q.read(thresholded: m)
        q.limit = m.hasLimit ? GRPCConvert.int(m.limit) : nil
        q.offset = m.hasOffset ? GRPCConvert.int(m.offset) : 0
        if let l = q.limit, l < 1 { throw GRPCConvert.badInput("limit must be at least 1") }
        return try selected(q, by: m)
    }

    static func prefetch(_ p: Qdrant_PrefetchQuery) throws -> QueryRequest {
        try GRPCCall.rejectUnknownFields(p)
        var q = QueryRequest()
        q.prefetch = try p.prefetch.map(prefetch)
        if p.hasQuery { q.query = try kind(p.query) }
        try q.read(thresholded: p)
        q.limit = p.hasLimit ? GRPCConvert.int(p.limit) : nil
        if let l = q.limit, l < 1 { throw GRPCConvert.badInput("prefetch limit must be at least 1") }
        return q
    }

    static func lookup(_ l: Qdrant_LookupLocation) throws -> LookupLocation {
        try GRPCCall.rejectUnknownFields(l)
        return LookupLocation(collection: l.collectionName, vector: l.hasVectorName ? l.vectorName : nil)
    }

    static func path(_ s: String) throws -> JSONPath { try QueryParser.path(s) }

    static func groups(_ groups: [PointGroup]) -> Qdrant_GroupsResult {
        var out = Qdrant_GroupsResult()
        out.groups = groups.map { g in
            var pg = Qdrant_PointGroup()
            switch g.id {
            case .int(let i): pg.id.integerValue = i
            case .uint(let u): pg.id.unsignedValue = u
            case .string(let s): pg.id.stringValue = s
            default: break
            }
            pg.hits = g.hits.map(GRPCQuery.scored)
            if let l = g.lookup { pg.lookup = GRPCConvert.retrieved(l) }
            return pg
        }
        return out
    }

    static func groupLookup(_ l: Qdrant_WithLookup) throws -> GroupLookup {
        try GRPCCall.rejectUnknownFields(l)
        return GroupLookup(
            collection: l.collection,
            payload: try GRPCConvert.payloadSelector(l.hasWithPayload ? l.withPayload : nil, default: .all),
            vectors: try GRPCConvert.vectorSelector(l.hasWithVectors ? l.withVectors : nil, default: .none))
    }

    static func vector(_ v: Qdrant_VectorInput) throws -> VectorInput {
        try GRPCCall.rejectUnknownFields(v)
        switch v.variant {
        case .dense(let d)?: return .vector(d.data)
        case .sparse(let s)?: return .sparse(try GRPCConvert.sparse(s))
        case .multiDense(let m)?: return .multi(try GRPCConvert.multi(m))
        case .id(let id)?: return .id(try GRPCConvert.pointID(id))
        case nil: throw GRPCConvert.badInput("a vector input needs a dense vector or a point id")
        }
    }

    static func pairs(_ c: Qdrant_ContextInput) throws -> [ContextPair] {
        try GRPCCall.rejectUnknownFields(c)
        return try c.pairs.map { p in
            try GRPCCall.rejectUnknownFields(p)
            return ContextPair(positive: try vector(p.positive), negative: try vector(p.negative))
        }
    }

    static func kind(_ q: Qdrant_Query) throws -> QueryKind {
        try GRPCCall.rejectUnknownFields(q)
        switch q.variant {
        case .nearest(let v)?: return .nearest(try vector(v), mmr: nil)
        case .nearestWithMmr(let n)?:
            try GRPCCall.rejectUnknownFields(n)
            let m = n.mmr
            return .nearest(try vector(n.nearest), mmr: MMR(
                diversity: m.hasDiversity ? Double(m.diversity) : 0.5, candidatesLimit: m.hasCandidatesLimit ? Int(m.candidatesLimit) : nil))
        case .recommend(let r)?:
            try GRPCCall.rejectUnknownFields(r)
            let strategy: RecommendStrategy = switch r.strategy {
            case .bestScore: .bestScore
            case .sumScores: .sumScores
            default: .averageVector
            }
            return .recommend(positive: try r.positive.map(vector), negative: try r.negative.map(vector), strategy: strategy)
        case .discover(let d)?:
            try GRPCCall.rejectUnknownFields(d)
            return .discover(target: try vector(d.target), context: try pairs(d.context))
        case .context(let c)?: return .context(try pairs(c))
        case .orderBy(let o)?:
            try GRPCCall.rejectUnknownFields(o)
            var start: Double?
            if o.hasStartFrom {
                switch o.startFrom.value {
                case .float(let f)?: start = f
                case .integer(let i)?: start = Double(i)
                case .datetime(let s)?:
                    guard let us = QdrantDatetime.microseconds(s) else { throw GRPCConvert.badInput("start_from `\(s)` is not a datetime") }
                    start = Double(us)
                case nil: break
                }
            }
            return .orderBy(OrderBy(key: try path(o.key), descending: o.hasDirection && o.direction == .desc, startFrom: start))
        case .fusion(let f)?: return .fusion(f == .dbsf ? .dbsf : .rrf(k: 2, weights: nil))
        case .rrf(let r)?:
            try GRPCCall.rejectUnknownFields(r)
            if r.hasK, r.k < 1 { throw GRPCConvert.badInput("rrf k must be at least 1") }
            return .fusion(.rrf(k: r.hasK ? Int(r.k) : 2, weights: r.weights.isEmpty ? nil : r.weights.map(Double.init)))
        case .sample?: return .sample
        case .formula(let f)?: return .formula(try formula(f))
        case .relevanceFeedback(let f)?: return try relevanceFeedback(f)
        case nil: throw GRPCConvert.badInput("a query needs one of its variants")
        }
    }

    /// `relevance_feedback` with the `naive` strategy, as REST's `QueryParser.relevanceFeedback`.
    static func relevanceFeedback(_ f: Qdrant_RelevanceFeedbackInput) throws -> QueryKind {
        try GRPCCall.rejectUnknownFields(f)
        guard f.hasTarget else { throw GRPCConvert.badInput("relevance_feedback needs a target") }
        let feedback = try f.feedback.map { item -> (example: VectorInput, score: Double) in
            try GRPCCall.rejectUnknownFields(item)
            guard item.hasExample else { throw GRPCConvert.badInput("a feedback item needs an example") }
            return (try vector(item.example), Double(item.score))
        }
        try GRPCCall.rejectUnknownFields(f.strategy)
        guard case .naive(let n)? = f.strategy.variant else { throw GRPCConvert.badInput("the feedback strategy must be `naive`") }
        try GRPCCall.rejectUnknownFields(n)
        return .relevanceFeedback(target: try vector(f.target), feedback: feedback, a: Double(n.a), b: Double(n.b), c: Double(n.c))
    }

    static func scored(_ r: Record) -> Qdrant_ScoredPoint {
        var p = GRPCConvert.scored(r)
        switch r.orderValue {
        case .int(let i)?: p.orderValue.int = i
        case .uint(let u)?: p.orderValue.int = Int64(clamping: u)
        case .double(let d)?: p.orderValue.float = d
        default: break
        }
        return p
    }
}
