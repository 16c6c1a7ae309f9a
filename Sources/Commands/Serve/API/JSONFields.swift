import Engine
import Foundation

/// Reads one JSON object of a request body field by field and refuses what is left: a field
/// qdb does not serve is a 400 naming it, never silently ignored. A null field is absent.
struct JSONFields {
    let object: [String: JSONValue]
    let context: String
    private var used = Set<String>()

    init(_ v: JSONValue, _ context: String) throws {
        guard case .object(let o) = v else { throw JSONFields.format("\(context) must be a JSON object") }
        object = o
        self.context = context
    }

    /// A top-level request body (or an operation inside one): `shard_key` is refused unless null,
    /// the other fields are read by the caller, then `finish()` refuses what is left.
    static func request(_ v: JSONValue, _ context: String) throws -> JSONFields {
        var f = try JSONFields(v, context)
        try f.refuse("shard_key", "a single node has no shard keys")
        return f
    }

    /// Checks that a request body has no field outside `allowed` (a null field counts as absent,
    /// a non-null `shard_key` is refused), for bodies then decoded by their own `Decodable`.
    static func check(_ v: JSONValue, allowed: Set<String>, _ context: String) throws {
        var f = try request(v, context)
        for k in allowed { _ = f.take(k) }
        try f.finish()
    }

    /// The hot-path form of `check` for objects read one by one (upserted points): throws for
    /// the first non-null field outside `allowed`, in name order.
    static func check(_ o: [String: JSONValue], allowed: Set<String>, _ context: @autoclosure () -> String) throws {
        guard o.keys.contains(where: { !allowed.contains($0) }) else { return }
        if let bad = o.keys.sorted().first(where: { !allowed.contains($0) && o[$0] != .null }) {
            throw format("unknown field `\(bad)` in \(context())")
        }
    }

    static func format(_ m: String) -> APIError { APIError(.badRequest, "Format error in JSON body: \(m)") }

    mutating func take(_ k: String) -> JSONValue? {
        used.insert(k)
        guard let v = object[k], v != .null else { return nil }
        return v
    }

    /// Fields that are known but meaningless on a single node: accepted only when null.
    mutating func refuse(_ k: String, _ why: String) throws {
        if take(k) != nil { throw APIError(.badRequest, "Wrong input: `\(k)` is not supported by qdb: \(why)") }
    }

    func finish() throws {
        if let bad = object.keys.sorted().first(where: { !used.contains($0) }) {
            throw JSONFields.format("unknown field `\(bad)` in \(context)")
        }
    }

    mutating func string(_ k: String) throws -> String? {
        guard let v = take(k) else { return nil }
        guard case .string(let s) = v else { throw JSONFields.format("`\(k)` in \(context) must be a string") }
        return s
    }

    mutating func int(_ k: String) throws -> Int? {
        guard let v = take(k) else { return nil }
        switch v {
        case .int(let i): return Int(i)
        case .uint(let u) where u <= UInt64(Int.max): return Int(u)
        case .double(let d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
        default: throw JSONFields.format("`\(k)` in \(context) must be an integer")
        }
    }

    mutating func double(_ k: String) throws -> Double? {
        guard let v = take(k) else { return nil }
        guard let d = v.number else { throw JSONFields.format("`\(k)` in \(context) must be a number") }
        return d
    }

    mutating func bool(_ k: String) throws -> Bool? {
        guard let v = take(k) else { return nil }
        guard case .bool(let b) = v else { throw JSONFields.format("`\(k)` in \(context) must be a boolean") }
        return b
    }

    /// A Codable value (filters, selectors) decoded by its own decoder.
    mutating func decode<T: Decodable>(_ k: String, _ t: T.Type) throws -> T? {
        guard let v = take(k) else { return nil }
        return try JSONFields.decode(v, t)
    }

    static func decode<T: Decodable>(_ v: JSONValue, _ t: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(v))
        } catch let e as DecodingError {
            throw APIError.from(e)
        }
    }

    /// `limit`: nil when absent; a value below `min` is Qdrant's 422 validation error.
    mutating func limit(_ k: String = "limit", min: Int = 1) throws -> Int? {
        guard let n = try int(k) else { return nil }
        guard n >= min else {
            throw APIError(.unprocessableContent, "Validation error in JSON body: \(k): value \(n) invalid, must be \(min) or larger")
        }
        return n
    }
}
