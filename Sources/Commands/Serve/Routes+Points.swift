import Engine
import Hummingbird

extension Router where Context == BasicRequestContext {
    /// `/collections/{c}/points…`: writes, retrieval, scroll, count, query and legacy search.
    func addPointRoutes(_ s: APIState) {
        on("/collections/:collection/points", method: .put, state: s) { call in
            let name = try call.parameter("collection")
            let wait = try call.wait(default: false)
            let (points, options) = try await call.upsertBody()
            let (mode, filter) = try UpsertJSON.updateOptions(options)
            return try await call.respond {
                let op = try call.collection(name).upsert(points, wait: wait, mode: mode, filter: filter)
                return UpdateResult(operation_id: op, status: wait ? "completed" : "acknowledged")
            }
        }
        on("/collections/:collection/points/batch", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let wait = try call.wait(default: false)
            let ops = try BatchUpdate.operations(try await call.rawJSON())
            return try await call.respond {
                let c = try call.collection(name)
                return try ops.map { op in
                    UpdateResult(operation_id: try op.apply(c, wait), status: wait ? "completed" : "acknowledged")
                }
            }
        }
        addWrite(s, "/collections/:collection/points/delete", .post, SelectorBody.deleteFields, "delete request") { c, b, wait in try c.delete(b.selector(), wait: wait) }
        addWrite(s, "/collections/:collection/points/payload", .post, SelectorBody.setPayloadFields, "set payload request") { c, b, wait in
            try b.validateKey()
            return try c.setPayload(b.payload ?? [:], key: b.key, b.selector(), wait: wait)
        }
        addWrite(s, "/collections/:collection/points/payload", .put, SelectorBody.setPayloadFields, "overwrite payload request") { c, b, wait in
            try c.overwritePayload(b.payload ?? [:], b.selector(), wait: wait)
        }
        addWrite(s, "/collections/:collection/points/payload/delete", .post, SelectorBody.deletePayloadFields, "delete payload request") { c, b, wait in
            try b.validateKeys()
            return try c.deletePayload(keys: b.keys ?? [], b.selector(), wait: wait)
        }
        addWrite(s, "/collections/:collection/points/payload/clear", .post, SelectorBody.deleteFields, "clear payload request") { c, b, wait in try c.clearPayload(b.selector(), wait: wait) }

        on("/collections/:collection/points", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.strictBody(RetrieveBody.self, ["ids", "with_payload", "with_vector"], "retrieve request")
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
            let body = try await call.strictBody(ScrollBody.self, ["offset", "limit", "filter", "with_payload", "with_vector", "order_by"], "scroll request")
            let limit = try scrollLimit(body.limit)
            if let o = body.order_by, o != .null {
                let orderBy = try QueryParser.orderBy(o)
                guard body.offset == nil else { throw APIError(.badRequest, "Wrong input: Cannot use an `offset` when using `order_by`") }
                return try await call.respond {
                    let records = try call.collection(name).scroll(
                        orderBy: orderBy, filter: body.filter, limit: limit,
                        payload: body.with_payload?.selector ?? .all, vectors: body.with_vector?.selector ?? .none)
                    return ScrollResponse(points: records.map(RecordOutput.init), next_page_offset: nil)
                }
            }
            return try await call.respond {
                let (records, next) = try call.collection(name).scroll(
                    filter: body.filter, offset: body.offset, limit: limit,
                    payload: body.with_payload?.selector ?? .all, vectors: body.with_vector?.selector ?? .none)
                return ScrollResponse(points: records.map(RecordOutput.init), next_page_offset: next)
            }
        }
        on("/collections/:collection/points/count", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.strictBody(CountBody.self, ["filter", "exact"], "count request")
            return try await call.respond { CountResult(count: try call.collection(name).count(filter: body.filter)) }
        }
        addQueryRoutes(s)
    }

    /// A write route over a `SelectorBody`, answering Qdrant's `UpdateResult`.
    private func addWrite(
        _ s: APIState, _ path: RouterPath, _ method: HTTPRequest.Method, _ fields: Set<String>, _ what: String,
        _ apply: @escaping @Sendable (Collection, SelectorBody, Bool) throws -> UInt64
    ) {
        on(path, method: method, state: s) { call in
            let name = try call.parameter("collection")
            let wait = try call.wait(default: false)
            let body = try await call.strictBody(SelectorBody.self, fields, what)
            return try await call.respond {
                let op = try apply(call.collection(name), body, wait)
                return UpdateResult(operation_id: op, status: wait ? "completed" : "acknowledged")
            }
        }
    }
}

extension Call {
    /// The body decoded as `T` after checking that it has only the `allowed` fields (and a null
    /// or absent `shard_key`): a field qdb does not serve is a 400 naming it.
    func strictBody<T: Decodable & Sendable>(_ type: T.Type, _ allowed: Set<String>, _ what: String) async throws -> T {
        try checkReadParameters()
        var req = request
        let buffer = try await req.collectBody(upTo: state.maxBodyBytes)
        let body: JSONValue = try await Blocking.run {
            guard buffer.readableBytes > 0 else { return .object([:]) }
            do { return try JSONParser.parse(buffer.readableBytesView) } catch let e as JSONParser.Error {
                throw APIError(.badRequest, "Format error in JSON body: \(e)")
            }
        }
        try JSONFields.check(body, allowed: allowed, what)
        return try JSONFields.decode(body, T.self)
    }
}

/// A scroll's page size: 10 when absent, at least 1 (REST and gRPC).
func scrollLimit(_ limit: Int?) throws -> Int {
    let limit = limit ?? 10
    guard limit >= 1 else { throw APIError(.unprocessableContent, "Validation error in JSON body: limit must be at least 1") }
    return limit
}

