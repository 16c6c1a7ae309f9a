import Engine

/// Upsert bodies read from `JSONParser`'s values: the ingest hot path avoids `JSONDecoder`
/// (see `JSONParser`). Accepts Qdrant's two forms, `{"points": […]}` and `{"batch": {…}}`.
enum UpsertJSON {
    static func points(from body: JSONValue) throws -> [PointInput] {
        guard case .object(let root) = body else { throw format("the body must be a JSON object") }
        try JSONFields.check(root, allowed: ["points", "batch", "shard_key", "update_mode", "update_filter"], "upsert request")
        if let points = root["points"], points != .null {
            guard case .array(let list) = points else { throw format("`points` must be an array") }
            return try list.enumerated().map { i, p in try point(p, at: "points[\(i)]") }
        }
        if let batch = root["batch"], batch != .null {
            return try self.batch(batch)
        }
        throw format("expected `points` or `batch`")
    }

    /// Qdrant's `PointStruct` fields (qdb also reads `vectors` as `vector`).
    static let pointFields: Set<String> = ["id", "vector", "vectors", "payload"]

    static func format(_ m: String) -> APIError { APIError(.badRequest, "Format error in JSON body: \(m)") }

    static func point(_ v: JSONValue, at path: String) throws -> PointInput {
        guard case .object(let o) = v else { throw format("\(path) must be an object") }
        try JSONFields.check(o, allowed: pointFields, path)
        guard let rawID = o["id"] else { throw format("missing field `id` at \(path)") }
        let id = try pointID(rawID, at: path + ".id")
        var vectors: [String: [Float]] = [:]
        var sparse: [String: SparseVector] = [:]
        var multi: [String: [[Float]]] = [:]
        switch o["vector"] ?? o["vectors"] {
        case nil, .null?: break
        case .array(let a)? where isMulti(a): multi[""] = try multiVector(a, at: path + ".vector")
        case .array(let a)?: vectors[""] = try floats(a, at: path + ".vector")
        case .object(let named)?:
            for (name, value) in named {
                switch value {
                case .array(let a) where isMulti(a): multi[name] = try multiVector(a, at: path + ".vector." + name)
                case .array(let a): vectors[name] = try floats(a, at: path + ".vector." + name)
                case .object: sparse[name] = try sparseVector(value, at: path + ".vector." + name)
                default: throw format("\(path).vector.\(name) must be a dense vector or a sparse vector {indices, values}")
                }
            }
        default: throw format("\(path).vector must be a list of numbers or an object of named vectors")
        }
        return PointInput(id: id, vectors: vectors, payload: try payload(o["payload"], at: path + ".payload"), sparse: sparse, multi: multi)
    }

    /// Whether a vector's list is a multivector (a list of lists). An empty list stays a dense
    /// vector, which the engine refuses by its size.
    static func isMulti(_ a: [JSONValue]) -> Bool {
        if case .array? = a.first { return true }
        return false
    }

    /// A list of inner vectors (sizes are the engine's to check).
    static func multiVector(_ a: [JSONValue], at path: String) throws -> [[Float]] {
        try a.enumerated().map { i, inner in
            guard case .array(let xs) = inner else { throw format("\(path)[\(i)] must be a list of numbers (a multivector is a list of vectors)") }
            return try floats(xs, at: "\(path)[\(i)]")
        }
    }

    static func batch(_ v: JSONValue) throws -> [PointInput] {
        guard case .object(let b) = v, case .array(let ids)? = b["ids"] else { throw format("`batch.ids` must be an array") }
        try JSONFields.check(b, allowed: ["ids", "vectors", "payloads"], "batch")
        let n = ids.count
        var payloads: [JSONValue] = []
        if let p = b["payloads"], p != .null {
            guard case .array(let list) = p else { throw format("`batch.payloads` must be an array") }
            guard list.count == n else { throw APIError(.badRequest, "Wrong input: batch has \(n) ids but \(list.count) payloads") }
            payloads = list
        }
        var vectors = [[String: [Float]]](repeating: [:], count: n)
        var multi = [[String: [[Float]]]](repeating: [:], count: n)
        func fill(_ name: String, _ value: JSONValue?) throws {
            guard case .array(let list)? = value else { throw format("`batch.vectors` must be a list of vectors or an object of named lists") }
            guard list.count == n else {
                let label = name.isEmpty ? "vectors" : "vectors named `\(name)`"
                throw APIError(.badRequest, "Wrong input: batch has \(n) ids but \(list.count) \(label)")
            }
            for (i, item) in list.enumerated() {
                guard case .array(let a) = item else { throw format("batch.vectors[\(i)] must be a list of numbers") }
                if isMulti(a) {
                    multi[i][name] = try multiVector(a, at: "batch.vectors[\(i)]")
                } else {
                    vectors[i][name] = try floats(a, at: "batch.vectors[\(i)]")
                }
            }
        }
        switch b["vectors"] {
        case .object(let named)?: for (name, list) in named { try fill(name, list) }
        case let other: try fill("", other)
        }
        return try (0..<n).map { i in
            PointInput(
                id: try pointID(ids[i], at: "batch.ids[\(i)]"), vectors: vectors[i],
                payload: try payload(payloads.isEmpty ? nil : payloads[i], at: "batch.payloads[\(i)]"), multi: multi[i])
        }
    }

    static func pointID(_ v: JSONValue, at path: String) throws -> PointID {
        switch v {
        case .int(let n) where n >= 0: return .number(UInt64(n))
        case .uint(let n): return .number(n)
        case .string(let s):
            if let id = PointID(string: s), case .uuid = id { return id }
        default: break
        }
        throw format("\(path): a point id must be an unsigned integer or a UUID string")
    }

    static func floats(_ a: [JSONValue], at path: String) throws -> [Float] {
        var out = [Float]()
        out.reserveCapacity(a.count)
        for x in a {
            switch x {
            case .double(let d): out.append(Float(d))
            case .int(let i): out.append(Float(i))
            case .uint(let u): out.append(Float(u))
            default: throw format("\(path) must contain only numbers")
            }
        }
        return out
    }

    /// `{"indices": [u32…], "values": [number…]}` (validated further by the engine).
    static func sparseVector(_ v: JSONValue, at path: String) throws -> SparseVector {
        guard case .object(let o) = v, case .array(let idx)? = o["indices"], case .array(let vals)? = o["values"] else {
            throw format("\(path) must be a sparse vector {\"indices\": [...], \"values\": [...]}")
        }
        if let extra = o.keys.sorted().first(where: { $0 != "indices" && $0 != "values" }) {
            throw format("unknown field `\(extra)` in \(path)")
        }
        let indices: [UInt32] = try idx.map { x in
            switch x {
            case .int(let i) where i >= 0 && i <= Int64(UInt32.max): return UInt32(i)
            case .uint(let u) where u <= UInt64(UInt32.max): return UInt32(u)
            default: throw format("\(path).indices must contain only integers between 0 and 4294967295")
            }
        }
        return SparseVector(indices: indices, values: try floats(vals, at: path + ".values"))
    }

    static func payload(_ v: JSONValue?, at path: String) throws -> Payload {
        switch v {
        case nil, .null?: return [:]
        case .object(let o)?: return o
        default: throw format("\(path) must be an object")
        }
    }
}
