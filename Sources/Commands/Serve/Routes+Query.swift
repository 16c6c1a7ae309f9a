import Engine
import Hummingbird

extension Router where Context == BasicRequestContext {
    /// The Universal Query API and the legacy search, recommend and discover routes, groups,
    /// the distance matrix and facets. Each decodes its body into an engine `QueryRequest`.
    func addQueryRoutes(_ s: APIState) {
        read(s, "points/query") { c, body, lookup in
            let q = try QueryBody(body)
            return QueryResponse(points: try c.query(q.request, payload: q.payload, vectors: q.vectors, lookup: lookup).map(ScoredPointOutput.init))
        }
        read(s, "points/query/batch") { c, body, lookup in
            try ParallelMap.map(try batch(body).map { try QueryBody($0) }) { q in
                QueryResponse(points: try c.query(q.request, payload: q.payload, vectors: q.vectors, lookup: lookup).map(ScoredPointOutput.init))
            }
        }
        read(s, "points/query/groups") { c, body, lookup in
            var groups = GroupsSpec(size: 3)
            var q = try QueryBody(body, context: "query groups request") { try groups.read(&$0) }
            let limit = q.request.limit ?? 10
            q.request.limit = nil
            return GroupsOutput(try groups.run(c, q, limit: limit, lookup: lookup))
        }
        for kind in LegacyKind.allCases {
            read(s, "points/\(kind.rawValue)") { c, body, lookup in
                let q = try LegacyBody(body, kind: kind).query
                return try c.query(q.request, payload: q.payload, vectors: q.vectors, lookup: lookup).map(ScoredPointOutput.init)
            }
            read(s, "points/\(kind.rawValue)/batch") { c, body, lookup in
                try ParallelMap.map(try batch(body).map { try LegacyBody($0, kind: kind).query }) { q in
                    try c.query(q.request, payload: q.payload, vectors: q.vectors, lookup: lookup).map(ScoredPointOutput.init)
                }
            }
            guard kind != .discover else { continue }
            read(s, "points/\(kind.rawValue)/groups") { c, body, lookup in
                var groups = GroupsSpec(size: nil)
                var q = try LegacyBody(body, kind: kind, groups: { try groups.read(&$0) }).query
                guard let limit = q.request.limit else { throw JSONFields.format("missing field `limit`") }
                q.request.limit = nil
                q.request.offset = 0
                return GroupsOutput(try groups.run(c, q, limit: limit, lookup: lookup))
            }
        }
        for (path, pairs) in [("pairs", true), ("offsets", false)] {
            read(s, "points/search/matrix/\(path)") { c, body, _ in
                var f = try JSONFields.request(body, "search matrix request")
                let filter = try f.decode("filter", Filter.self)
                let sample = try f.limit("sample", min: 2) ?? 10
                let limit = try f.limit() ?? 3
                let using = try f.string("using") ?? ""
                try f.finish()
                let m = try c.distanceMatrix(filter: filter, sample: sample, limit: limit, using: using)
                return pairs ? AnyEncodable(MatrixPairsOutput(m)) : AnyEncodable(MatrixOffsetsOutput(m))
            }
        }
        read(s, "facet") { c, body, _ in
            var f = try JSONFields.request(body, "facet request")
            guard let key = try f.string("key") else { throw JSONFields.format("missing field `key`") }
            let filter = try f.decode("filter", Filter.self)
            let limit = try f.limit() ?? 10
            _ = try f.bool("exact")
            try f.finish()
            let hits = try c.facet(key: try QueryParser.path(key), filter: filter, limit: limit)
            return FacetOutput(hits: hits.map { FacetOutput.Hit(value: $0.value, count: $0.count) })
        }
    }

    /// A POST read route under `/collections/{c}/`: checks the read query parameters, reads the
    /// body as JSON and answers `work`'s result in the envelope.
    private func read<T: Encodable & Sendable>(
        _ s: APIState, _ path: String,
        _ work: @escaping @Sendable (Collection, JSONValue, Collection.Lookup) throws -> T
    ) {
        on(RouterPath("/collections/:collection/\(path)"), method: .post, state: s) { call in
            let name = try call.parameter("collection")
            try call.checkReadParameters()
            let body = try await call.rawJSON()
            let storage = call.state.storage
            return try await call.respond { try work(call.collection(name), body, { try storage.collection($0) }) }
        }
    }
}

/// `{"searches": […]}` of the batch routes.
private func batch(_ body: JSONValue) throws -> [JSONValue] {
    var f = try JSONFields(body, "batch request")
    guard case .array(let list)? = f.take("searches") else { throw JSONFields.format("missing field `searches` (a list of requests)") }
    try f.finish()
    return list
}

/// A type-erased response (routes choosing between shapes).
struct AnyEncodable: Encodable, @unchecked Sendable {
    let value: any Encodable
    init(_ v: any Encodable) { value = v }
    func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}

/// `group_by`, `group_size` and `with_lookup` of the groups routes.
struct GroupsSpec {
    var groupBy: JSONPath?
    var size: Int?
    var lookup: GroupLookup?

    mutating func read(_ f: inout JSONFields) throws {
        guard let key = try f.string("group_by") else { throw JSONFields.format("missing field `group_by`") }
        groupBy = try QueryParser.path(key)
        size = try f.limit("group_size") ?? size
        if let l = f.take("with_lookup") {
            if case .string(let c) = l {
                lookup = GroupLookup(collection: c)
            } else {
                var lf = try JSONFields(l, "with_lookup")
                guard let c = try lf.string("collection") else { throw JSONFields.format("missing field `collection` in with_lookup") }
                let p = try lf.decode("with_payload", WithPayload.self)?.selector ?? .all
                let v = try lf.decode("with_vectors", WithVector.self)?.selector ?? .none
                try lf.finish()
                lookup = GroupLookup(collection: c, payload: p, vectors: v)
            }
        }
    }

    func run(_ c: Collection, _ q: QueryBody, limit: Int, lookup: Collection.Lookup) throws -> [PointGroup] {
        guard let size else { throw JSONFields.format("missing field `group_size`") }
        return try c.queryGroups(
            q.request, groupBy: groupBy!, groupSize: size, limit: limit, payload: q.payload, vectors: q.vectors,
            withLookup: self.lookup, lookup: lookup)
    }
}

/// The routes before the Universal Query API: `search`, `recommend`, `discover`.
enum LegacyKind: String, CaseIterable, Sendable {
    case search, recommend, discover
}

/// A legacy request read as the equivalent `points/query` request.
struct LegacyBody {
    var query: QueryBody

    init(_ v: JSONValue, kind: LegacyKind, groups: ((inout JSONFields) throws -> Void)? = nil) throws {
        var f = try JSONFields.request(v, "\(kind.rawValue) request")
        var r = QueryRequest()
        r.filter = try f.decode("filter", Filter.self)
        r.params = try f.decode("params", SearchParamsBody.self)?.engine ?? SearchParams()
        r.limit = try f.limit()
        if groups == nil {
            guard r.limit != nil else { throw JSONFields.format("missing field `limit`") }
            r.offset = try f.limit("offset", min: 0) ?? 0
        }
        r.scoreThreshold = try f.double("score_threshold").map(Float.init)
        switch kind {
        case .search:
            guard let vector = f.take("vector") else { throw JSONFields.format("missing field `vector`") }
            if case .object = vector {
                var nf = try JSONFields(vector, "vector")
                r.using = try nf.string("name") ?? ""
                guard let raw = nf.take("vector") else { throw JSONFields.format("missing field `vector.vector`") }
                try nf.finish()
                r.query = .nearest(try QueryParser.vectorInput(raw), mmr: nil)
            } else {
                r.query = .nearest(try QueryParser.vectorInput(vector), mmr: nil)
            }
        case .recommend, .discover:
            r.using = try f.string("using") ?? ""
            if let l = f.take("lookup_from") { r.lookupFrom = try QueryParser.lookupFrom(l) }
            if kind == .recommend {
                let pos = try QueryParser.inputs(f.take("positive")), neg = try QueryParser.inputs(f.take("negative"))
                let s = try f.string("strategy") ?? "average_vector"
                guard let strategy = RecommendStrategy(rawValue: s) else { throw JSONFields.format("unknown recommend strategy `\(s)`") }
                r.query = .recommend(positive: pos, negative: neg, strategy: strategy)
            } else {
                let pairs = try QueryParser.contextPairs(f.take("context"))
                if let t = f.take("target") {
                    r.query = .discover(target: try QueryParser.vectorInput(t), context: pairs)
                } else {
                    r.query = .context(pairs)
                }
            }
        }
        let payload = try f.decode("with_payload", WithPayload.self)?.selector ?? .none
        let vectors = try f.decode("with_vector", WithVector.self)?.selector ?? .none
        try groups?(&f)
        try f.finish()
        query = QueryBody(request: r, payload: payload, vectors: vectors)
    }
}

extension QueryBody {
    init(request: QueryRequest, payload: PayloadSelector, vectors: VectorSelector) {
        self.request = request
        self.payload = payload
        self.vectors = vectors
    }
}

extension Call {
    /// `timeout` (seconds, a positive integer) and `consistency` (an integer ≥ 1, `majority`,
    /// `quorum` or `all`) as Qdrant validates them; a single node has nothing more to do with them.
    func checkReadParameters() throws {
        let q = request.uri.queryParameters
        if let raw = q.get("timeout") {
            guard let t = Int(raw), t >= 1 else {
                throw APIError(.badRequest, "Query deserialize error: timeout must be a positive integer (seconds), got `\(raw)`")
            }
        }
        if let raw = q.get("consistency") {
            guard ["majority", "quorum", "all"].contains(raw) || (Int(raw).map { $0 >= 1 } ?? false) else {
                throw APIError(.badRequest, "Query deserialize error: consistency must be a positive integer, majority, quorum or all, got `\(raw)`")
            }
        }
    }
}
