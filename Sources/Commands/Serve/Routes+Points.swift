import Engine
import Hummingbird

extension Router where Context == BasicRequestContext {
    /// `/collections/{c}/points…`: writes, retrieval, scroll, count, query and legacy search.
    func addPointRoutes(_ s: APIState) {
        on("/collections/:collection/points", method: .put, state: s) { call in
            let name = try call.parameter("collection")
            let wait = try call.wait(default: false)
            let points = try UpsertJSON.points(from: try await call.rawJSON())
            return try await call.respond {
                let op = try call.collection(name).upsert(points, wait: wait)
                return UpdateResult(operation_id: op, status: wait ? "completed" : "acknowledged")
            }
        }
        addWrite(s, "/collections/:collection/points/delete", .post) { c, b, wait in try c.delete(b.selector(), wait: wait) }
        addWrite(s, "/collections/:collection/points/payload", .post) { c, b, wait in
            try c.setPayload(b.payload ?? [:], key: b.key, b.selector(), wait: wait)
        }
        addWrite(s, "/collections/:collection/points/payload", .put) { c, b, wait in
            try c.overwritePayload(b.payload ?? [:], b.selector(), wait: wait)
        }
        addWrite(s, "/collections/:collection/points/payload/delete", .post) { c, b, wait in
            try c.deletePayload(keys: b.keys ?? [], b.selector(), wait: wait)
        }
        addWrite(s, "/collections/:collection/points/payload/clear", .post) { c, b, wait in try c.clearPayload(b.selector(), wait: wait) }

        on("/collections/:collection/points", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.body(RetrieveBody.self)
            return try await call.respond {
                try call.collection(name).retrieve(
                    body.ids, payload: body.with_payload?.selector ?? .all, vectors: body.with_vector?.selector ?? .none
                ).map(RecordOutput.init)
            }
        }
        on("/collections/:collection/points/:id", method: .get, state: s) { call in
            let name = try call.parameter("collection")
            let raw = try call.parameter("id")
            guard let id = PointID(string: raw) else { throw APIError(.badRequest, "Wrong input: `\(raw)` is not a valid point id") }
            return try await call.respond {
                guard let r = try call.collection(name).retrieve([id], payload: .all, vectors: .all).first else {
                    throw StorageError(.notFound, "No point with id \(id) found")
                }
                return RecordOutput(r)
            }
        }
        on("/collections/:collection/points/scroll", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.body(ScrollBody.self)
            if let o = body.order_by, o != .null { throw APIError(.badRequest, "Wrong input: qdb does not support order_by in scroll yet") }
            let limit = try scrollLimit(body.limit)
            return try await call.respond {
                let (records, next) = try call.collection(name).scroll(
                    filter: body.filter, offset: body.offset, limit: limit,
                    payload: body.with_payload?.selector ?? .all, vectors: body.with_vector?.selector ?? .none)
                return ScrollResponse(points: records.map(RecordOutput.init), next_page_offset: next)
            }
        }
        on("/collections/:collection/points/count", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.body(CountBody.self)
            return try await call.respond { CountResult(count: try call.collection(name).count(filter: body.filter)) }
        }
        on("/collections/:collection/points/query", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.body(QueryBody.self)
            return try await call.respond { QueryResponse(points: try runQuery(body, in: call.collection(name))) }
        }
        on("/collections/:collection/points/query/batch", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.body(QueryBatchBody.self)
            return try await call.respond {
                let c = try call.collection(name)
                return try body.searches.map { QueryResponse(points: try runQuery($0, in: c)) }
            }
        }
        on("/collections/:collection/points/search", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.body(SearchBody.self)
            return try await call.respond {
                let (vector, using): ([Float], String) = switch body.vector {
                case .plain(let v): (v, "")
                case .named(let n): (n.vector, n.name)
                }
                let req = SearchRequest(
                    vector: vector, using: using, filter: body.filter, limit: body.limit, offset: body.offset ?? 0,
                    scoreThreshold: body.score_threshold, payload: body.with_payload?.selector ?? .none,
                    vectors: body.with_vector?.selector ?? .none)
                return try call.collection(name).search(req).map(ScoredPointOutput.init)
            }
        }
    }

    /// A write route over a `SelectorBody`, answering Qdrant's `UpdateResult`.
    private func addWrite(
        _ s: APIState, _ path: RouterPath, _ method: HTTPRequest.Method,
        _ apply: @escaping @Sendable (Collection, SelectorBody, Bool) throws -> UInt64
    ) {
        on(path, method: method, state: s) { call in
            let name = try call.parameter("collection")
            let wait = try call.wait(default: false)
            let body = try await call.body(SelectorBody.self)
            return try await call.respond {
                let op = try apply(call.collection(name), body, wait)
                return UpdateResult(operation_id: op, status: wait ? "completed" : "acknowledged")
            }
        }
    }
}

/// A scroll's page size: 10 when absent, at least 1 (REST and gRPC).
func scrollLimit(_ limit: Int?) throws -> Int {
    let limit = limit ?? 10
    guard limit >= 1 else { throw APIError(.unprocessableContent, "Validation error in JSON body: limit must be at least 1") }
    return limit
}

/// Runs one `points/query` request: a vector query, or a point id whose vector is the query
/// (that point itself is left out of the results, as in Qdrant).
func runQuery(_ body: QueryBody, in c: Collection) throws -> [ScoredPointOutput] {
    if let p = body.prefetch, p != .null {
        throw APIError(.badRequest, "Wrong input: qdb does not support prefetch queries yet")
    }
    let using = body.using ?? ""
    var filter = body.filter
    let vector: [Float]
    switch body.query {
    case nil:
        throw APIError(.badRequest, "Wrong input: `query` is required (a vector, a point id, or {\"nearest\": …})")
    case .vector(let v):
        vector = v
    case .point(let id):
        guard let r = c.retrieve([id], payload: .none, vectors: .names([using])).first, let v = r.vectors?[using] else {
            throw StorageError(.notFound, "No point with id \(id) found")
        }
        vector = v
        var f = filter ?? Filter()
        f.mustNot.append(.hasID([id]))
        filter = f
    }
    let limit = body.limit ?? 10
    guard limit >= 1 else { throw APIError(.unprocessableContent, "Validation error in JSON body: limit must be at least 1") }
    let req = SearchRequest(
        vector: vector, using: using, filter: filter, limit: limit, offset: body.offset ?? 0,
        scoreThreshold: body.score_threshold, payload: body.with_payload?.selector ?? .none,
        vectors: body.with_vector?.selector ?? .none)
    return try c.search(req).map(ScoredPointOutput.init)
}
