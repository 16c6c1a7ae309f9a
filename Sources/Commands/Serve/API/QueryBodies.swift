import Engine
import Foundation

/// `points/query` (and its batch and groups forms) read into the engine's `QueryRequest`.
struct QueryBody {
    var request: QueryRequest
    var payload: PayloadSelector
    var vectors: VectorSelector

    /// Reads a top-level query request. `extra` reads fields of a wrapping request (groups).
    init(_ v: JSONValue, context: String = "query request", extra: ((inout JSONFields) throws -> Void)? = nil) throws {
        var f = try JSONFields.request(v, context)
        request = try QueryParser.level(&f, top: true)
        payload = try f.decode("with_payload", WithPayload.self)?.selector ?? .none
        vectors = try f.decode("with_vector", WithVector.self)?.selector ?? .none
        try extra?(&f)
        try f.finish()
    }
}

enum QueryParser {
    static func bad(_ m: String) -> APIError { JSONFields.format(m) }

    /// The fields a query level shares with a prefetch.
    static func level(_ f: inout JSONFields, top: Bool) throws -> QueryRequest {
        var q = QueryRequest()
        if let p = f.take("prefetch") {
            let list: [JSONValue] = if case .array(let a) = p { a } else { [p] }
            q.prefetch = try list.map { item in
                var pf = try JSONFields(item, "prefetch")
                let inner = try level(&pf, top: false)
                try pf.finish()
                return inner
            }
        }
        q.using = try f.string("using") ?? ""
        q.filter = try f.decode("filter", Filter.self)
        q.params = try f.decode("params", SearchParamsBody.self)?.engine ?? SearchParams()
        q.scoreThreshold = try f.double("score_threshold").map(Float.init)
        q.limit = try f.limit()
        if top { q.offset = try f.limit("offset", min: 0) ?? 0 }
        if let l = f.take("lookup_from") { q.lookupFrom = try lookupFrom(l) }
        if let raw = f.take("query") { q.query = try query(raw) }
        return q
    }

    /// `lookup_from`: `{collection, vector}`.
    static func lookupFrom(_ v: JSONValue) throws -> LookupLocation {
        var lf = try JSONFields.request(v, "lookup_from")
        guard let c = try lf.string("collection") else { throw bad("missing field `collection` in lookup_from") }
        let vector = try lf.string("vector")
        try lf.finish()
        return LookupLocation(collection: c, vector: vector)
    }

    /// `query`: a vector or point id (nearest), or one of Qdrant's query objects.
    static func query(_ v: JSONValue) throws -> QueryKind {
        switch v {
        case .array, .int, .uint, .string: return .nearest(try vectorInput(v), mmr: nil)
        case .object(let o):
            if o["indices"] != nil || o["values"] != nil { return .nearest(try vectorInput(v), mmr: nil) }
            var f = try JSONFields(v, "query")
            let kind: QueryKind
            if let n = f.take("nearest") {
                var mmr: MMR?
                if let m = f.take("mmr") {
                    var mf = try JSONFields(m, "mmr")
                    mmr = MMR(diversity: try mf.double("diversity") ?? 0.5, candidatesLimit: try mf.limit("candidates_limit", min: 0))
                    try mf.finish()
                }
                kind = .nearest(try vectorInput(n), mmr: mmr)
            } else if let r = f.take("recommend") {
                var rf = try JSONFields(r, "recommend")
                let pos = try inputs(rf.take("positive")), neg = try inputs(rf.take("negative"))
                let s = try rf.string("strategy") ?? "average_vector"
                guard let strategy = RecommendStrategy(rawValue: s) else {
                    throw bad("unknown recommend strategy `\(s)`; expected average_vector, best_score or sum_scores")
                }
                try rf.finish()
                kind = .recommend(positive: pos, negative: neg, strategy: strategy)
            } else if let d = f.take("discover") {
                var df = try JSONFields(d, "discover")
                guard let t = df.take("target") else { throw bad("missing field `target` in discover") }
                let target = try vectorInput(t)
                let pairs = try contextPairs(df.take("context"))
                try df.finish()
                kind = .discover(target: target, context: pairs)
            } else if let c = f.take("context") {
                kind = .context(try contextPairs(c))
            } else if let o = f.take("order_by") {
                kind = .orderBy(try orderBy(o))
            } else if let fu = f.take("fusion") {
                switch fu {
                case .string("rrf"): kind = .fusion(.rrf(k: 2, weights: nil))
                case .string("dbsf"): kind = .fusion(.dbsf)
                default: throw bad("unknown fusion \(fu); expected rrf or dbsf")
                }
            } else if let r = f.take("rrf") {
                var rf = try JSONFields(r, "rrf")
                let k = try rf.limit("k", min: 1) ?? 2
                var weights: [Double]?
                if let w = rf.take("weights") { weights = try JSONFields.decode(w, [Double].self) }
                try rf.finish()
                kind = .fusion(.rrf(k: k, weights: weights))
            } else if let s = f.take("sample") {
                guard s == .string("random") else { throw bad("unknown sample \(s); expected random") }
                kind = .sample
            } else if let e = f.take("formula") {
                var defaults: [String: JSONValue] = [:]
                if let d = f.take("defaults") { defaults = try JSONFields.decode(d, [String: JSONValue].self) }
                kind = .formula(Formula(expression: try FormulaParser.expression(e), defaults: defaults))
            } else if let rf = f.take("relevance_feedback") {
                kind = try relevanceFeedback(rf)
            } else {
                throw bad("unknown query \(o.keys.sorted()); expected nearest, recommend, discover, context, order_by, fusion, rrf, formula or sample")
            }
            try f.finish()
            return kind
        default:
            throw bad("`query` must be a vector, a point id or a query object")
        }
    }

    /// `{"target": …, "feedback": [{"example": …, "score": …}], "strategy": {"naive": {"a", "b", "c"}}}`.
    static func relevanceFeedback(_ v: JSONValue) throws -> QueryKind {
        var f = try JSONFields(v, "relevance_feedback")
        guard let t = f.take("target") else { throw bad("missing field `target` in relevance_feedback") }
        guard case .array(let items)? = f.take("feedback") else { throw bad("missing field `feedback` (a list) in relevance_feedback") }
        let feedback = try items.map { item -> (example: VectorInput, score: Double) in
            var i = try JSONFields(item, "feedback item")
            guard let e = i.take("example"), let s = try i.double("score") else { throw bad("a feedback item needs `example` and `score`") }
            try i.finish()
            return (try vectorInput(e), s)
        }
        guard let s = f.take("strategy") else { throw bad("missing field `strategy` in relevance_feedback") }
        var sf = try JSONFields(s, "strategy")
        guard let n = sf.take("naive") else { throw bad("the feedback strategy must be `naive`") }
        try sf.finish()
        var nf = try JSONFields(n, "naive")
        guard let a = try nf.double("a"), let b = try nf.double("b"), let c = try nf.double("c") else {
            throw bad("the naive strategy needs `a`, `b` and `c`")
        }
        try nf.finish()
        try f.finish()
        return .relevanceFeedback(target: try vectorInput(t), feedback: feedback, a: a, b: b, c: c)
    }

    static func unsupported(_ what: String) -> APIError {
        APIError(.badRequest, "Wrong input: qdb does not support \(what) yet")
    }

    /// A vector given literally or by point id.
    static func vectorInput(_ v: JSONValue) throws -> VectorInput {
        switch v {
        case .array(let a):
            if UpsertJSON.isMulti(a) { return .multi(try UpsertJSON.multiVector(a, at: "query")) }
            return .vector(try a.map { x in
                guard let d = x.number else { throw bad("a vector must be a list of numbers") }
                return Float(d)
            })
        case .int, .uint, .string: return .id(try JSONFields.decode(v, PointID.self))
        case .object(let o) where o["indices"] != nil || o["values"] != nil:
            return .sparse(try UpsertJSON.sparseVector(v, at: "query"))
        default: throw bad("expected a vector or a point id, got \(v)")
        }
    }

    static func inputs(_ v: JSONValue?) throws -> [VectorInput] {
        guard let v else { return [] }
        guard case .array(let a) = v else { throw bad("positive and negative must be lists of vectors or point ids") }
        return try a.map(vectorInput)
    }

    static func contextPairs(_ v: JSONValue?) throws -> [ContextPair] {
        guard let v else { return [] }
        let list: [JSONValue] = if case .array(let a) = v { a } else { [v] }
        return try list.map { item in
            var pf = try JSONFields(item, "context pair")
            guard let p = pf.take("positive"), let n = pf.take("negative") else {
                throw bad("a context pair needs `positive` and `negative`")
            }
            try pf.finish()
            return ContextPair(positive: try vectorInput(p), negative: try vectorInput(n))
        }
    }

    /// `order_by`: a key, or `{key, direction, start_from}`.
    static func orderBy(_ v: JSONValue) throws -> OrderBy {
        if case .string(let k) = v { return OrderBy(key: try path(k)) }
        var f = try JSONFields(v, "order_by")
        guard let k = try f.string("key") else { throw bad("missing field `key` in order_by") }
        let dir = try f.string("direction") ?? "asc"
        guard dir == "asc" || dir == "desc" else { throw bad("order_by direction must be asc or desc") }
        var start: Double?
        if let s = f.take("start_from") {
            if case .string(let str) = s {
                guard let us = QdrantDatetime.microseconds(str) else { throw bad("order_by start_from `\(str)` is not a datetime") }
                start = Double(us)
            } else if let n = s.number {
                start = n
            } else {
                throw bad("order_by start_from must be a number or a datetime")
            }
        }
        try f.finish()
        return OrderBy(key: try path(k), descending: dir == "desc", startFrom: start)
    }

    static func path(_ s: String) throws -> JSONPath {
        do { return try JSONPath(s) } catch let e as StorageError { throw APIError(.badRequest, e.message) }
    }
}

/// `params` (search parameters): `hnsw_ef`, `exact` and `indexed_only` steer the search
/// (`Shard+Plan`); `quantization` and `acorn` are accepted and checked (qdb has neither).
struct SearchParamsBody: Decodable {
    var engine: SearchParams { SearchParams(hnswEf: hnsw_ef, exact: exact ?? false, indexedOnly: indexed_only ?? false) }

    var hnsw_ef: Int?
    var exact: Bool?
    var quantization: JSONValue?
    var indexed_only: Bool?
    var acorn: JSONValue?

    enum CodingKeys: String, CodingKey, CaseIterable { case hnsw_ef, exact, quantization, indexed_only, acorn }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let bad = c.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "unknown field `\(bad)` in params"))
        }
        let k = try decoder.container(keyedBy: CodingKeys.self)
        hnsw_ef = try k.decodeIfPresent(Int.self, forKey: .hnsw_ef)
        exact = try k.decodeIfPresent(Bool.self, forKey: .exact)
        quantization = try k.decodeIfPresent(JSONValue.self, forKey: .quantization)
        indexed_only = try k.decodeIfPresent(Bool.self, forKey: .indexed_only)
        acorn = try k.decodeIfPresent(JSONValue.self, forKey: .acorn)
    }
}

struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
