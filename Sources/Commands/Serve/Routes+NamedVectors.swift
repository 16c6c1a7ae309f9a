import Engine
import Hummingbird

/// `{"dense": {size, distance, multivector_config?, datatype?}}` or
/// `{"sparse": {modifier?, datatype?}}`: Qdrant's `VectorNameConfig`.
struct VectorNameBody: Decodable, Sendable {
    struct Dense: Decodable, Sendable {
        var size: Int
        var distance: Distance
        var multivector_config: MultiVectorConfig?
        var datatype: VectorDatatype?
    }

    struct Sparse: Decodable, Sendable {
        var modifier: String?
        var datatype: VectorDatatype?
    }

    var dense: Dense?
    var sparse: Sparse?

    static let fields: Set<String> = ["dense", "sparse"]

    func config() throws -> VectorNameConfig {
        switch (dense, sparse) {
        case (let d?, nil):
            guard d.size >= 1, d.size <= 65536 else {
                throw APIError(.unprocessableContent, "Validation error in JSON body: [dense.size: value \(d.size) invalid, must be from 1 to 65536]")
            }
            var p = VectorParams(size: d.size, distance: d.distance)
            p.datatype = d.datatype
            p.multivector_config = d.multivector_config
            return .dense(p)
        case (nil, let s?):
            let modifier = s.modifier?.lowercased()
            var p = SparseVectorParams(modifier: modifier)
            if let dt = s.datatype { p.index = .init(datatype: dt.rawValue) }
            try p.validate(name: "new")
            return .sparse(p)
        default:
            throw APIError(.badRequest, "Format error in JSON body: expected exactly one of `dense` or `sparse`")
        }
    }
}

extension Router where Context == BasicRequestContext {
    /// Adding and removing a named vector of an existing collection (`Storage+NamedVectors`).
    func addNamedVectorRoutes(_ s: APIState) {
        on("/collections/:collection/vectors/:vector", method: .put, state: s) { call in
            let name = try call.parameter("collection")
            let vector = try call.parameter("vector")
            let wait = try call.wait(default: false)
            let body = try await call.strictBody(VectorNameBody.self, VectorNameBody.fields, "vector name config")
            let config = try body.config()
            return try await call.respond {
                try s.storage.createNamedVector(collection: name, vector: vector, config: config)
                return UpdateResult(operation_id: 0, status: wait ? "completed" : "acknowledged")
            }
        }
        on("/collections/:collection/vectors/:vector", method: .delete, state: s) { call in
            let name = try call.parameter("collection")
            let vector = try call.parameter("vector")
            let wait = try call.wait(default: false)
            return try await call.respond {
                try s.storage.deleteNamedVector(collection: name, vector: vector)
                return UpdateResult(operation_id: 0, status: wait ? "completed" : "acknowledged")
            }
        }
    }
}
