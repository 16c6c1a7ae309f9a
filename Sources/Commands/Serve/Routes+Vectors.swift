import Engine
import Hummingbird

/// `{"points": […] | "filter": {…}, "vector": ["name", …]}` of `points/vectors/delete`.
struct DeleteVectorsBody: Decodable {
    var points: [PointID]?
    var filter: Filter?
    var vector: [String]
}

extension Router where Context == BasicRequestContext {
    /// Named-vector edits: `PUT …/points/vectors` and `POST …/points/vectors/delete`.
    func addVectorRoutes(_ s: APIState) {
        on("/collections/:collection/points/vectors", method: .put, state: s) { call in
            let name = try call.parameter("collection")
            let wait = try call.wait(default: false)
            let body = try await call.rawJSON()
            guard case .object(let root) = body, case .array(let list)? = root["points"] else {
                throw UpsertJSON.format("missing field `points` (a list of {id, vector})")
            }
            let points = try list.enumerated().map { i, p in
                guard case .object(let o) = p, o["vector"] != nil else { throw UpsertJSON.format("missing field `vector` at points[\(i)]") }
                return try UpsertJSON.point(p, at: "points[\(i)]")
            }
            return try await call.respond {
                let op = try call.collection(name).updateVectors(points, wait: wait)
                return UpdateResult(operation_id: op, status: wait ? "completed" : "acknowledged")
            }
        }
        on("/collections/:collection/points/vectors/delete", method: .post, state: s) { call in
            let name = try call.parameter("collection")
            let wait = try call.wait(default: false)
            let body = try await call.body(DeleteVectorsBody.self)
            let selector: PointSelector
            if let p = body.points { selector = .ids(p) } else if let f = body.filter { selector = .filter(f) } else {
                throw UpsertJSON.format("expected `points` or `filter`")
            }
            return try await call.respond {
                let op = try call.collection(name).deleteVectors(body.vector, selector, wait: wait)
                return UpdateResult(operation_id: op, status: wait ? "completed" : "acknowledged")
            }
        }
    }
}
