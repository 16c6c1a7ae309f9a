import Engine

extension UpsertJSON {
    /// `update_mode` and `update_filter` of an upsert body (or of a batch's `upsert` operation).
    static func updateOptions(_ body: JSONValue) throws -> (UpdateMode, Filter?) {
        guard case .object(let o) = body else { return (.upsert, nil) }
        var mode = UpdateMode.upsert
        switch o["update_mode"] {
        case nil, .null?: break
        case .string(let s)?:
            guard let m = UpdateMode(rawValue: s) else {
                throw format("unknown update_mode `\(s)`; expected upsert, insert_only or update_only")
            }
            mode = m
        default: throw format("update_mode must be a string")
        }
        var filter: Filter?
        if let f = o["update_filter"], f != .null { filter = try JSONFields.decode(f, Filter.self) }
        if let k = o["shard_key"], k != .null {
            throw APIError(.badRequest, "Wrong input: `shard_key` is not supported by qdb: a single node has no shard keys")
        }
        return (mode, filter)
    }
}

/// One operation of `POST points/batch`, applied in order, each on its own as Qdrant applies them.
enum BatchUpdate {
    case upsert([PointInput], UpdateMode, Filter?)
    case delete(PointSelector)
    case setPayload(Payload, key: String?, PointSelector)
    case overwritePayload(Payload, PointSelector)
    case deletePayload([String], PointSelector)
    case clearPayload(PointSelector)

    func apply(_ c: Collection, _ wait: Bool) throws -> UInt64 {
        switch self {
        case .upsert(let p, let mode, let filter): return try c.upsert(p, wait: wait, mode: mode, filter: filter)
        case .delete(let s): return try c.delete(s, wait: wait)
        case .setPayload(let p, let key, let s): return try c.setPayload(p, key: key, s, wait: wait)
        case .overwritePayload(let p, let s): return try c.overwritePayload(p, s, wait: wait)
        case .deletePayload(let keys, let s): return try c.deletePayload(keys: keys, s, wait: wait)
        case .clearPayload(let s): return try c.clearPayload(s, wait: wait)
        }
    }

    /// `{"operations": [{"upsert": …}, {"delete": …}, …]}`, every operation read before any runs.
    static func operations(_ body: JSONValue) throws -> [BatchUpdate] {
        var f = try JSONFields(body, "batch update request")
        guard case .array(let list)? = f.take("operations") else { throw JSONFields.format("missing field `operations` (a list)") }
        try f.finish()
        return try list.enumerated().map { i, item in
            guard case .object(let o) = item, o.count == 1, let (kind, v) = o.first else {
                throw JSONFields.format("operations[\(i)] must be an object with one operation")
            }
            switch kind {
            case "upsert":
                let (mode, filter) = try UpsertJSON.updateOptions(v)
                return .upsert(try UpsertJSON.points(from: v), mode, filter)
            case "delete": return .delete(try SelectorBody.strict(v, SelectorBody.deleteFields, "operations[\(i)].delete").selector())
            case "set_payload":
                let b = try SelectorBody.strict(v, SelectorBody.setPayloadFields, "operations[\(i)].set_payload")
                try b.validateKey()
                return .setPayload(b.payload ?? [:], key: b.key, try b.selector())
            case "overwrite_payload":
                let b = try SelectorBody.strict(v, SelectorBody.setPayloadFields, "operations[\(i)].overwrite_payload")
                return .overwritePayload(b.payload ?? [:], try b.selector())
            case "delete_payload":
                let b = try SelectorBody.strict(v, SelectorBody.deletePayloadFields, "operations[\(i)].delete_payload")
                try b.validateKeys()
                return .deletePayload(b.keys ?? [], try b.selector())
            case "clear_payload": return .clearPayload(try SelectorBody.strict(v, SelectorBody.deleteFields, "operations[\(i)].clear_payload").selector())
            case "update_vectors", "delete_vectors":
                throw APIError(.badRequest, "Wrong input: qdb does not support \(kind) yet")
            default:
                throw JSONFields.format("unknown operation `\(kind)` in operations[\(i)]")
            }
        }
    }
}

extension SelectorBody {
    /// `key` of set_payload must be a JSON path (`a.b`, `a[0]`, `a[].b`).
    func validateKey() throws {
        if let key, !key.isEmpty { _ = try QueryParser.path(key) }
    }

    func validateKeys() throws {
        for k in keys ?? [] { _ = try QueryParser.path(k) }
    }
}
