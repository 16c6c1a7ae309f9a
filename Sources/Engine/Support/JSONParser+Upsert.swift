/// An upsert body read by `JSONParser.parseUpsert`.
public struct UpsertBody: Sendable {
    public var points: [PointInput]
    /// The body's other fields (`update_mode`, `update_filter`, a null `shard_key`) as `parse`
    /// reads them.
    public var options: Payload
}

/// `parseUpsert` met something it leaves to the general path.
private struct Unhandled: Error {}

extension JSONParser {
    /// Reads an upsert body of the shapes clients send — `{"points": [{"id", "vector" or
    /// "vectors", "payload"}…]}` or `{"batch": {"ids", "vectors", "payloads"}}`, with dense
    /// vectors, unnamed or named — straight into points, in one pass over the bytes: no
    /// `JSONValue` per number and no tree to convert afterwards (the tree was most of an
    /// upsert's CPU). Payloads and the other fields are read by the general parser's code.
    ///
    /// Returns nil for anything else: sparse vectors, multivectors, an unknown, null or repeated
    /// field, a value of another type, bytes that are not one JSON document. The caller then
    /// takes the general path (`parse`, then the server's conversion), which accepts or refuses
    /// such a body with its exact error. Where this returns points, the general path returns
    /// the same points (the `upsert-body` fuzz target and the server's tests check it). Numbers
    /// convert as there: integers that fit `Int64`/`UInt64` directly, others through `Double`.
    ///
    /// Hostile input: every read is bounded by the bytes given; nesting is what the shapes
    /// allow (payloads keep `maxDepth`); nothing is reserved from a count in the input.
    public static func parseUpsert(_ bytes: UnsafeRawBufferPointer) -> UpsertBody? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        var parser = JSONParser(p: base.assumingMemoryBound(to: UInt8.self), end: bytes.count)
        return try? parser.upsertBody()
    }

    private mutating func upsertBody() throws -> UpsertBody {
        skipSpace()
        try open(UInt8(ascii: "{"))
        var points: [PointInput]?
        var options = Payload()
        var first = true
        while let key = try nextKey(&first) {
            switch key {
            case "points":
                guard points == nil else { throw Unhandled() }
                points = try pointList()
            case "batch":
                guard points == nil else { throw Unhandled() }
                points = try batch()
            case "update_mode", "update_filter", "shard_key":
                guard options[key] == nil else { throw Unhandled() }
                options[key] = try value(depth: 1)
            default: throw Unhandled()
            }
        }
        skipSpace()
        guard i == end, let points else { throw Unhandled() }
        if let k = options["shard_key"], k != .null { throw Unhandled() }
        return UpsertBody(points: points, options: options)
    }

    // MARK: Structure

    /// Consumes `c` (after optional whitespace).
    private mutating func open(_ c: UInt8) throws {
        skipSpace()
        guard i < end, p[i] == c else { throw Unhandled() }
        i += 1
    }

    /// The next member's key of an object whose `{` was consumed, leaving `i` at its value; nil
    /// (with the `}` consumed) at the object's end. `first` is true before the first member.
    private mutating func nextKey(_ first: inout Bool) throws -> String? {
        guard try more(&first, close: UInt8(ascii: "}")) else { return nil }
        guard i < end, p[i] == UInt8(ascii: "\"") else { throw Unhandled() }
        let key = try string()
        try open(UInt8(ascii: ":"))
        skipSpace()
        return key
    }

    /// Whether an array or object whose opening bracket was consumed has another element, leaving
    /// `i` at it; false (with `close` consumed) at its end. `first` is true before the first.
    private mutating func more(_ first: inout Bool, close: UInt8) throws -> Bool {
        skipSpace()
        guard i < end else { throw Unhandled() }
        if p[i] == close { i += 1; return false }
        if first {
            first = false
        } else {
            guard p[i] == UInt8(ascii: ",") else { throw Unhandled() }
            i += 1
            skipSpace()
        }
        return true
    }

    /// Whether the value at `i` is `null` (consumed if so).
    private mutating func null() throws -> Bool {
        guard i < end, p[i] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    // MARK: Values

    /// A point id as `UpsertJSON.pointID` takes it: an unsigned integer or a UUID string.
    private mutating func pointID() throws -> PointID {
        guard i < end else { throw Unhandled() }
        if p[i] == UInt8(ascii: "\"") {
            if let id = PointID(string: try string()), case .uuid = id { return id }
            throw Unhandled()
        }
        guard p[i] >= 0x30, p[i] <= 0x39 else { throw Unhandled() }
        switch try number() {
        case .int(let n) where n >= 0: return .number(UInt64(n))
        case .uint(let n): return .number(n)
        default: throw Unhandled()
        }
    }

    /// A dense vector: a JSON array of numbers (not of arrays: a multivector is left to the
    /// general path). `capacity` is the expected length (the previous vector's).
    private mutating func floats(capacity: Int) throws -> [Float] {
        try open(UInt8(ascii: "["))
        var out = [Float]()
        out.reserveCapacity(capacity)
        var first = true
        while try more(&first, close: UInt8(ascii: "]")) {
            guard i < end, p[i] == UInt8(ascii: "-") || (p[i] >= 0x30 && p[i] <= 0x39) else { throw Unhandled() }
            out.append(try float())
        }
        return out
    }

    /// A payload as `UpsertJSON.payload` takes it: an object, or null for none.
    private mutating func payload(depth: Int) throws -> Payload {
        if try null() { return [:] }
        guard i < end, p[i] == UInt8(ascii: "{"), case .object(let o) = try value(depth: depth) else { throw Unhandled() }
        return o
    }

    // MARK: The `points` form

    private mutating func pointList() throws -> [PointInput] {
        try open(UInt8(ascii: "["))
        var out: [PointInput] = []
        var dim = 0
        var first = true
        while try more(&first, close: UInt8(ascii: "]")) {
            out.append(try point(dim: &dim))
        }
        return out
    }

    /// One `PointStruct` (depth 2 in the document, as `parse` counts it).
    private mutating func point(dim: inout Int) throws -> PointInput {
        try open(UInt8(ascii: "{"))
        var id: PointID?
        var vectors: [String: [Float]]?
        var payload: Payload?
        var first = true
        while let key = try nextKey(&first) {
            switch key {
            case "id":
                guard id == nil else { throw Unhandled() }
                id = try pointID()
            case "vector", "vectors":
                guard vectors == nil else { throw Unhandled() }
                vectors = try pointVectors(dim: &dim)
            case "payload":
                guard payload == nil else { throw Unhandled() }
                payload = try self.payload(depth: 3)
            default: throw Unhandled()
            }
        }
        guard let id else { throw Unhandled() }
        return PointInput(id: id, vectors: vectors ?? [:], payload: payload ?? [:])
    }

    /// A point's `vector`: null, one dense vector, or an object of named dense vectors.
    private mutating func pointVectors(dim: inout Int) throws -> [String: [Float]] {
        if try null() { return [:] }
        guard i < end else { throw Unhandled() }
        if p[i] == UInt8(ascii: "[") {
            let v = try floats(capacity: dim)
            dim = v.count
            return ["": v]
        }
        try open(UInt8(ascii: "{"))
        var named: [String: [Float]] = [:]
        var first = true
        while let name = try nextKey(&first) {
            guard named[name] == nil, i < end, p[i] == UInt8(ascii: "[") else { throw Unhandled() }
            let v = try floats(capacity: dim)
            dim = v.count
            named[name] = v
        }
        return named
    }

    // MARK: The `batch` form

    private mutating func batch() throws -> [PointInput] {
        try open(UInt8(ascii: "{"))
        var ids: [PointID]?
        var vectors: [String: [[Float]]]?
        var payloads: [Payload]?
        var sawPayloads = false
        var first = true
        while let key = try nextKey(&first) {
            switch key {
            case "ids":
                guard ids == nil else { throw Unhandled() }
                ids = try idList()
            case "vectors":
                guard vectors == nil else { throw Unhandled() }
                vectors = try batchVectors()
            case "payloads":
                guard !sawPayloads else { throw Unhandled() }
                sawPayloads = true
                payloads = try null() ? nil : try payloadList()
            default: throw Unhandled()
            }
        }
        guard let ids, let vectors else { throw Unhandled() }
        let n = ids.count
        guard payloads.map({ $0.count == n }) ?? true, vectors.values.allSatisfy({ $0.count == n }) else { throw Unhandled() }
        var out: [PointInput] = []
        out.reserveCapacity(n)
        for k in 0..<n {
            var v: [String: [Float]] = [:]
            for (name, list) in vectors { v[name] = list[k] }
            out.append(PointInput(id: ids[k], vectors: v, payload: payloads?[k] ?? [:]))
        }
        return out
    }

    private mutating func idList() throws -> [PointID] {
        try open(UInt8(ascii: "["))
        var out: [PointID] = []
        var first = true
        while try more(&first, close: UInt8(ascii: "]")) { out.append(try pointID()) }
        return out
    }

    /// `batch.vectors`: a list of dense vectors (the unnamed vector's), or an object of such
    /// lists by name.
    private mutating func batchVectors() throws -> [String: [[Float]]] {
        guard i < end else { throw Unhandled() }
        if p[i] == UInt8(ascii: "[") { return ["": try vectorList()] }
        try open(UInt8(ascii: "{"))
        var named: [String: [[Float]]] = [:]
        var first = true
        while let name = try nextKey(&first) {
            guard named[name] == nil else { throw Unhandled() }
            named[name] = try vectorList()
        }
        return named
    }

    private mutating func vectorList() throws -> [[Float]] {
        try open(UInt8(ascii: "["))
        var out: [[Float]] = []
        var dim = 0
        var first = true
        while try more(&first, close: UInt8(ascii: "]")) {
            let v = try floats(capacity: dim)
            dim = v.count
            out.append(v)
        }
        return out
    }

    private mutating func payloadList() throws -> [Payload] {
        try open(UInt8(ascii: "["))
        var out: [Payload] = []
        var first = true
        while try more(&first, close: UInt8(ascii: "]")) { out.append(try payload(depth: 3)) }
        return out
    }
}
