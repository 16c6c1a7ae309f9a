import Engine

/// Request bodies of the REST API. Bodies of point reads and writes are checked for unknown
/// fields first (`JSONFields.check`, the field sets below); collection bodies stay lenient.

struct CreateCollectionBody: Decodable {
    var vectors: VectorsConfig?
    var shard_number: Int?
    var replication_factor: Int?
    var write_consistency_factor: Int?
    var on_disk_payload: Bool?
    var sparse_vectors: JSONValue?
    var hnsw_config: JSONValue?
    var optimizers_config: JSONValue?
    var wal_config: JSONValue?
}

/// `PATCH /collections/{c}`: the sections qdb applies (`params` is checked by the engine).
struct UpdateCollectionBody: Decodable {
    var hnsw_config: JSONValue?
    var optimizers_config: JSONValue?
}

/// `with_payload`: a bool, a list of keys, or `{"include": […]}` / `{"exclude": […]}`.
struct WithPayload: Decodable {
    var selector: PayloadSelector

    struct Spec: Decodable {
        var include: [String]?
        var exclude: [String]?
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            selector = b ? .all : .none
        } else if let keys = try? c.decode([String].self) {
            selector = .include(keys)
        } else {
            let spec = try c.decode(Spec.self)
            if let inc = spec.include { selector = .include(inc) } else { selector = .exclude(spec.exclude ?? []) }
        }
        switch selector {
        case .include(let keys), .exclude(let keys):
            for k in keys where (try? JSONPath(k)) == nil {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "`\(k)` in with_payload is not a valid payload key path")
            }
        default: break
        }
    }
}

/// `with_vector`: a bool or a list of vector names.
struct WithVector: Decodable {
    var selector: VectorSelector

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            selector = b ? .all : .none
        } else {
            selector = .names(try c.decode([String].self))
        }
    }
}

struct ScrollBody: Decodable {
    var offset: PointID?
    var limit: Int?
    var filter: Filter?
    var with_payload: WithPayload?
    var with_vector: WithVector?
    var order_by: JSONValue?
}

struct CountBody: Decodable {
    var filter: Filter?
    var exact: Bool?
}

struct RetrieveBody: Decodable {
    var ids: [PointID]
    var with_payload: WithPayload?
    var with_vector: WithVector?
}

/// Bodies that select points by `points` (ids) or `filter`.
struct SelectorBody: Decodable {
    var points: [PointID]?
    var filter: Filter?
    var payload: Payload?
    var keys: [String]?
    var key: String?

    /// The fields of Qdrant's `PointsSelector`, `SetPayload` (also overwrite) and `DeletePayload`.
    static let deleteFields: Set<String> = ["points", "filter"]
    static let setPayloadFields: Set<String> = ["points", "filter", "payload", "key"]
    static let deletePayloadFields: Set<String> = ["points", "filter", "keys"]

    /// `v` decoded after checking it has only `fields` (a batch operation or a route body).
    static func strict(_ v: JSONValue, _ fields: Set<String>, _ context: String) throws -> SelectorBody {
        try JSONFields.check(v, allowed: fields, context)
        return try JSONFields.decode(v, SelectorBody.self)
    }

    func selector() throws -> PointSelector {
        if let points { return .ids(points) }
        if let filter { return .filter(filter) }
        throw APIError(.badRequest, "Format error in JSON body: expected `points` or `filter`")
    }
}

struct CreateIndexBody: Decodable {
    var field_name: String
    var field_schema: JSONValue?

    static let types: Set<String> = ["keyword", "integer", "float", "bool", "geo", "datetime", "uuid", "text"]

    static let fields: Set<String> = ["field_name", "field_schema"]

    /// Qdrant's payload index types: a type name, or `{"type": …, …params}`; the field a JSON path.
    func validate() throws {
        _ = try QueryParser.path(field_name)
        let type: String?
        switch field_schema {
        case nil, .null?: return
        case .string(let t)?: type = t
        case .object(let o)?: if case .string(let t)? = o["type"] { type = t } else { type = nil }
        default: type = nil
        }
        guard let type, CreateIndexBody.types.contains(type) else {
            throw APIError(.badRequest, "Format error in JSON body: field_schema must be one of \(CreateIndexBody.types.sorted().joined(separator: ", ")), or an object with such a `type`")
        }
        if type == "text", case .object(let o)? = field_schema { _ = try TextIndexParams(o) }
    }
}

struct AliasesBody: Decodable {
    struct Create: Decodable { var collection_name: String; var alias_name: String }
    struct Delete: Decodable { var alias_name: String }
    struct Rename: Decodable { var old_alias_name: String; var new_alias_name: String }
    struct Action: Decodable {
        var create_alias: Create?
        var delete_alias: Delete?
        var rename_alias: Rename?
    }
    var actions: [Action]

    func engineActions() throws -> [AliasAction] {
        try actions.map { a in
            if let c = a.create_alias { return .create(collection: c.collection_name, alias: c.alias_name) }
            if let d = a.delete_alias { return .delete(alias: d.alias_name) }
            if let r = a.rename_alias { return .rename(old: r.old_alias_name, new: r.new_alias_name) }
            throw APIError(.badRequest, "Format error in JSON body: each action needs create_alias, delete_alias or rename_alias")
        }
    }
}
