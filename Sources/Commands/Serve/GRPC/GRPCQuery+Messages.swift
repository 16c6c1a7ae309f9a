import Engine
import QdrantProto

/// The fields the query-like gRPC messages share (the generated types already have them, with
/// the same names and types), so each is read into a `QueryRequest` in one place.
protocol GRPCTargetedQuery {
    var hasUsing: Bool { get }
    var using: String { get }
    var hasFilter: Bool { get }
    var filter: Qdrant_Filter { get }
    var hasLookupFrom: Bool { get }
    var lookupFrom: Qdrant_LookupLocation { get }
}

/// A query message with a `score_threshold` too.
protocol GRPCThresholdedQuery: GRPCTargetedQuery {
    var hasScoreThreshold: Bool { get }
    var scoreThreshold: Float { get }
}

/// A message choosing the payload and vectors of its results (REST's defaults: neither).
protocol GRPCSelectingQuery {
    var hasWithPayload: Bool { get }
    var withPayload: Qdrant_WithPayloadSelector { get }
    var hasWithVectors: Bool { get }
    var withVectors: Qdrant_WithVectorsSelector { get }
}

/// The legacy group searches (search and recommend groups).
protocol GRPCLegacyGroups: GRPCSelectingQuery {
    var collectionName: String { get }
    var groupBy: String { get }
    var groupSize: UInt32 { get }
    var limit: UInt32 { get }
    var hasWithLookup: Bool { get }
    var withLookup: Qdrant_WithLookup { get }
}

/// A message with `params` (`hnsw_ef`, `exact`, `indexed_only`), read as REST's `params`.
protocol GRPCParamsQuery {
    var hasParams: Bool { get }
    var params: Qdrant_SearchParams { get }
}

extension Qdrant_QueryPoints: GRPCThresholdedQuery, GRPCSelectingQuery {}
extension Qdrant_PrefetchQuery: GRPCThresholdedQuery {}
extension Qdrant_QueryPointGroups: GRPCThresholdedQuery {}
extension Qdrant_RecommendPoints: GRPCThresholdedQuery, GRPCSelectingQuery {}
extension Qdrant_RecommendPointGroups: GRPCThresholdedQuery, GRPCLegacyGroups {}
extension Qdrant_DiscoverPoints: GRPCTargetedQuery, GRPCSelectingQuery {}
extension Qdrant_SearchPointGroups: GRPCLegacyGroups {}
extension Qdrant_QueryPoints: GRPCParamsQuery {}
extension Qdrant_PrefetchQuery: GRPCParamsQuery {}
extension Qdrant_QueryPointGroups: GRPCParamsQuery {}
extension Qdrant_RecommendPoints: GRPCParamsQuery {}
extension Qdrant_RecommendPointGroups: GRPCParamsQuery {}
extension Qdrant_DiscoverPoints: GRPCParamsQuery {}
extension Qdrant_SearchPointGroups: GRPCParamsQuery {}
extension Qdrant_SearchPoints: GRPCParamsQuery {}

extension QueryRequest {
    /// `using`, `filter`, `lookup_from` and (where the message has them) `params` of `m`.
    mutating func read(target m: some GRPCTargetedQuery) throws {
        using = m.hasUsing ? m.using : ""
        filter = m.hasFilter ? try GRPCConvert.filter(m.filter) : nil
        if m.hasLookupFrom { lookupFrom = try GRPCQuery.lookup(m.lookupFrom) }
        if let p = m as? any GRPCParamsQuery { try read(params: p) }
    }

    /// `params` of `m`, as REST's `params` (`SearchParamsBody`).
    mutating func read(params m: some GRPCParamsQuery) throws {
        if m.hasParams { params = try GRPCConvert.searchParams(m.params) }
    }

    /// The same and `score_threshold`.
    mutating func read(thresholded m: some GRPCThresholdedQuery) throws {
        try read(target: m)
        scoreThreshold = m.hasScoreThreshold ? m.scoreThreshold : nil
    }
}

extension GRPCQuery {
    /// `q` with the payload and vectors `m` selects.
    static func selected(_ q: QueryRequest, by m: some GRPCSelectingQuery) throws -> Points {
        Points(
            request: q, payload: try GRPCConvert.payloadSelector(m.hasWithPayload ? m.withPayload : nil, default: .none),
            vectors: try GRPCConvert.vectorSelector(m.hasWithVectors ? m.withVectors : nil, default: .none))
    }

    /// One `BatchResult` per item of a batch RPC, in order; the items are answered in parallel
    /// (`ParallelMap`), as Qdrant runs a batch's searches.
    static func batch<T>(_ items: [T], _ answer: (T) throws -> [Qdrant_ScoredPoint]) throws -> [Qdrant_BatchResult] {
        try ParallelMap.map(items) { item in
            var b = Qdrant_BatchResult()
            b.result = try answer(item)
            return b
        }
    }
}

/// A response whose payload is one `result` field: the RPCs answering with it are a body that
/// computes the result (`PointsGRPC.respond`).
protocol GRPCResultResponse: TimedResponse {
    associatedtype Result
    init()
    var result: Result { get set }
}

extension Qdrant_QueryResponse: GRPCResultResponse {}

extension PointsGRPC {
    /// Runs `body` as a gRPC call (off the event loop, timed, errors mapped) and wraps its result.
    func respond<R: GRPCResultResponse>(_ body: @escaping @Sendable (Storage) throws -> R.Result) async throws -> R {
        let storage = state.storage
        return try await GRPCCall.run {
            var r = R()
            r.result = try body(storage)
            return r
        }
    }
}

extension GRPCConvert {
    /// `SearchParams` as the engine's: `hnsw_ef`, `exact`, `indexed_only` (a field qdb's proto
    /// lacks, e.g. `quantization`, is refused naming it).
    static func searchParams(_ p: Qdrant_SearchParams) throws -> SearchParams {
        try GRPCCall.rejectUnknownFields(p)
        return SearchParams(
            hnswEf: p.hasHnswEf ? int(p.hnswEf) : nil, exact: p.hasExact && p.exact, indexedOnly: p.hasIndexedOnly && p.indexedOnly)
    }
}
