/// A vector given to a query: literally, or as the id of a point whose vector it is.
public enum VectorInput: Sendable, Equatable {
    case vector([Float])
    case id(PointID)
    /// A sparse vector (`{"indices", "values"}`), for a sparse vector's `using`.
    case sparse(SparseVector)
    /// A multivector (a list of inner vectors), for a multivector's `using`.
    case multi([[Float]])
}

/// One `context` pair of a discover or context query.
public struct ContextPair: Sendable, Equatable {
    public var positive: VectorInput
    public var negative: VectorInput

    public init(positive: VectorInput, negative: VectorInput) {
        self.positive = positive
        self.negative = negative
    }
}

/// `recommend.strategy`.
public enum RecommendStrategy: String, Sendable, CaseIterable {
    case averageVector = "average_vector"
    case bestScore = "best_score"
    case sumScores = "sum_scores"
}

/// `nearest.mmr`: maximal marginal relevance over `candidatesLimit` nearest points.
public struct MMR: Sendable, Equatable {
    public var diversity: Double
    public var candidatesLimit: Int?

    public init(diversity: Double = 0.5, candidatesLimit: Int? = nil) {
        self.diversity = diversity
        self.candidatesLimit = candidatesLimit
    }
}

/// `order_by`: points by a payload value (numbers, or datetimes as microseconds).
public struct OrderBy: Sendable, Equatable {
    public var key: JSONPath
    public var descending: Bool
    public var startFrom: Double?

    public init(key: JSONPath, descending: Bool = false, startFrom: Double? = nil) {
        self.key = key
        self.descending = descending
        self.startFrom = startFrom
    }
}

/// `fusion` of prefetch results.
public enum Fusion: Sendable, Equatable {
    /// Reciprocal rank fusion: Σ weight / (rank + k - 1 + …), k defaults to 2 as in Qdrant.
    case rrf(k: Int, weights: [Double]?)
    /// Distribution-based score fusion: each list normalized by mean ± 3σ, then summed.
    case dbsf
}

/// What a `points/query` level computes.
public indirect enum QueryKind: Sendable, Equatable {
    case nearest(VectorInput, mmr: MMR?)
    case recommend(positive: [VectorInput], negative: [VectorInput], strategy: RecommendStrategy)
    case discover(target: VectorInput, context: [ContextPair])
    case context([ContextPair])
    case orderBy(OrderBy)
    case fusion(Fusion)
    case formula(Formula)
    case sample
    /// `relevance_feedback` with the `naive` strategy: a·sim(target) + Σ over ordered feedback
    /// pairs with a higher score first, (Δscore^b · c) · (sim(better) − sim(worse)).
    case relevanceFeedback(target: VectorInput, feedback: [(example: VectorInput, score: Double)], a: Double, b: Double, c: Double)

    public static func == (l: QueryKind, r: QueryKind) -> Bool {
        switch (l, r) {
        case (.nearest(let a, let m), .nearest(let b, let n)): return a == b && m == n
        case (.recommend(let p1, let n1, let s1), .recommend(let p2, let n2, let s2)): return p1 == p2 && n1 == n2 && s1 == s2
        case (.discover(let t1, let c1), .discover(let t2, let c2)): return t1 == t2 && c1 == c2
        case (.context(let a), .context(let b)): return a == b
        case (.orderBy(let a), .orderBy(let b)): return a == b
        case (.fusion(let a), .fusion(let b)): return a == b
        case (.formula(let a), .formula(let b)): return a == b
        case (.sample, .sample): return true
        case (.relevanceFeedback(let t1, let f1, let a1, let b1, let c1), .relevanceFeedback(let t2, let f2, let a2, let b2, let c2)):
            return t1 == t2 && f1.map(\.example) == f2.map(\.example) && f1.map(\.score) == f2.map(\.score)
                && a1 == a2 && b1 == b2 && c1 == c2
        default: return false
        }
    }
}

/// `lookup_from`: take vectors given by id from another collection (and vector name).
public struct LookupLocation: Sendable, Equatable {
    public var collection: String
    public var vector: String?

    public init(collection: String, vector: String? = nil) {
        self.collection = collection
        self.vector = vector
    }
}

/// One level of a Universal Query: its prefetches (run first; their results are the candidates
/// of this level), the query, and the level's filter, vector name and limits.
public struct QueryRequest: Sendable, Equatable {
    public var prefetch: [QueryRequest] = []
    public var query: QueryKind?
    public var using: String = ""
    public var filter: Filter?
    /// nil: Qdrant's default of 10.
    public var limit: Int?
    public var offset: Int = 0
    public var scoreThreshold: Float?
    public var lookupFrom: LookupLocation?
    /// `params` (`hnsw_ef`, `exact`, `indexed_only`).
    public var params = SearchParams()

    public init(
        prefetch: [QueryRequest] = [], query: QueryKind? = nil, using: String = "", filter: Filter? = nil,
        limit: Int? = nil, offset: Int = 0, scoreThreshold: Float? = nil, lookupFrom: LookupLocation? = nil
    ) {
        self.prefetch = prefetch
        self.query = query
        self.using = using
        self.filter = filter
        self.limit = limit
        self.offset = offset
        self.scoreThreshold = scoreThreshold
        self.lookupFrom = lookupFrom
    }

    /// Qdrant's checks of one level, before anything runs.
    func validate() throws {
        func bad(_ m: String) -> StorageError { StorageError(.badInput, "Wrong input: \(m)") }
        if !prefetch.isEmpty, query == nil { throw bad("A query is needed to merge the prefetches.") }
        if scoreThreshold != nil {
            if query == nil { throw bad("A query is needed to use the score_threshold.") }
            if case .orderBy? = query { throw bad("Can't use score_threshold with an order_by query.") }
        }
        if case .fusion? = query, !using.isEmpty { throw bad("Fusion queries cannot be combined with the 'using' field.") }
        if case .relevanceFeedback(_, _, _, let b, _)? = query, b < 0 {
            throw bad("naive feedback b value \(b) is invalid. Must be 0 or larger.")
        }
        if case .nearest(_, let mmr?)? = query, let n = mmr.candidatesLimit, n > 16384 {
            throw bad("mmr candidates_limit value \(n) is invalid. Must be 16384 or smaller.")
        }
    }

    /// The same request with every prefetch limit, at every depth, set to `limit` (groups).
    func withPrefetchLimits(_ limit: Int) -> QueryRequest {
        var q = self
        q.prefetch = prefetch.map { p in
            var p = p.withPrefetchLimits(limit)
            p.limit = limit
            return p
        }
        return q
    }
}

extension Int {
    /// `self + other`, or `Int.max` when that overflows (limits and offsets come from requests).
    func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}

/// A scored point id, before payloads and vectors are read.
struct Hit: Sendable {
    var id: PointID
    var score: Float
    var orderValue: JSONValue? = nil
}

extension Filter {
    /// Qdrant's `Filter::merge_opts`: clauses concatenated (so `should`s become alternatives of
    /// each other), `min_should` conditions joined with the larger count.
    static func merge(_ outer: Filter?, _ inner: Filter?) -> Filter? {
        guard let outer else { return inner }
        guard let inner else { return outer }
        var minShould = outer.minShould ?? inner.minShould
        if let a = outer.minShould, let b = inner.minShould {
            minShould = MinShould(conditions: a.conditions + b.conditions, minCount: max(a.minCount, b.minCount))
        }
        return Filter(
            must: outer.must + inner.must, should: outer.should + inner.should, mustNot: outer.mustNot + inner.mustNot,
            minShould: minShould)
    }

    /// `filter` with `must: has_id(ids)` added (candidates of a rescoring level).
    static func including(_ filter: Filter?, _ ids: Set<PointID>) -> Filter {
        var f = filter ?? Filter()
        f.must.append(.hasID(ids))
        return f
    }

    /// `filter` with `must_not: has_id(ids)` added (points a query names are not its results).
    static func excluding(_ filter: Filter?, _ ids: Set<PointID>) -> Filter? {
        guard !ids.isEmpty else { return filter }
        var f = filter ?? Filter()
        f.mustNot.append(.hasID(ids))
        return f
    }
}
