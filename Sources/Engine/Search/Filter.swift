/// A Qdrant filter: `must` (all), `should` (at least one), `must_not` (none).
/// Each clause takes one condition or an array of them, as Qdrant accepts.
public struct Filter: Sendable, Equatable {
    public var must: [Condition] = []
    public var should: [Condition] = []
    public var mustNot: [Condition] = []

    public init(must: [Condition] = [], should: [Condition] = [], mustNot: [Condition] = []) {
        self.must = must
        self.should = should
        self.mustNot = mustNot
    }

    /// Whether the point with `id` and `payload` passes the filter.
    public func matches(id: PointID?, payload: Payload) -> Bool {
        for c in must where !c.matches(id: id, payload: payload) { return false }
        if !should.isEmpty, !should.contains(where: { $0.matches(id: id, payload: payload) }) { return false }
        for c in mustNot where c.matches(id: id, payload: payload) { return false }
        return true
    }
}

/// One condition of a filter.
public indirect enum Condition: Sendable, Equatable {
    case field(FieldCondition)
    case isEmpty(key: String)
    case isNull(key: String)
    case hasID(Set<PointID>)
    case nested(key: String, filter: Filter)
    case filter(Filter)

    func matches(id: PointID?, payload: Payload) -> Bool {
        switch self {
        case .field(let f):
            return f.matchesScalar(in: payload) ?? f.matches(PayloadPath(f.key).values(in: payload))
        case .isEmpty(let key):
            return PayloadPath(key).values(in: payload).allSatisfy { $0 == .null }
        case .isNull(let key):
            return PayloadPath(key).values(in: payload, flattenLeaf: false).contains(.null)
        case .hasID(let ids):
            guard let id else { return false }
            return ids.contains(id)
        case .nested(let key, let filter):
            return PayloadPath(key).values(in: payload).contains { v in
                guard case .object(let o) = v else { return false }
                return filter.matches(id: nil, payload: o)
            }
        case .filter(let f):
            return f.matches(id: id, payload: payload)
        }
    }
}

/// `{"key": …, "match"|"range"|"values_count": …}`. Every part that is given must hold.
public struct FieldCondition: Sendable, Equatable {
    public var key: String
    public var match: Match?
    public var range: NumericRange?
    public var valuesCount: NumericRange?

    /// `matches(PayloadPath(key).values(in: payload))` for the common case, without building the
    /// path or any array: a plain top-level key (no `.`, no `[]`) whose value is a scalar, null or
    /// absent. nil when the value is an array or object or the key is a path. A filtered scan
    /// evaluates this once per point.
    func matchesScalar(in payload: Payload) -> Bool? {
        guard !key.utf8.contains(UInt8(ascii: ".")), !key.hasSuffix("[]") else { return nil }
        let one: JSONValue?
        switch payload[key] {
        case .array?, .object?: return nil
        case .null?, nil: one = nil
        case let v?: one = v
        }
        if let match {
            guard let one else { return false }
            switch match {
            case .value(let want): if !one.matches(want) { return false }
            case .any(let set): if !set.contains(where: { one.matches($0) }) { return false }
            case .except(let set): if set.contains(where: { one.matches($0) }) { return false }
            case .text(let needle):
                guard case .string(let s) = one, s.contains(needle) else { return false }
            }
        }
        if let range {
            guard let x = one?.number, range.contains(x) else { return false }
        }
        if let valuesCount, !valuesCount.contains(one == nil ? 0 : 1) { return false }
        return true
    }

    func matches(_ values: [JSONValue]) -> Bool {
        let nonNull = values.filter { $0 != .null }
        if let match, !match.matches(nonNull) { return false }
        if let range, !nonNull.contains(where: { v in v.number.map(range.contains) ?? false }) { return false }
        if let valuesCount, !valuesCount.contains(Double(nonNull.count)) { return false }
        return true
    }
}

/// `match` of a field condition.
public enum Match: Sendable, Equatable {
    case value(JSONValue)
    case any([JSONValue])
    case except([JSONValue])
    case text(String)

    func matches(_ values: [JSONValue]) -> Bool {
        switch self {
        case .value(let want): return values.contains { $0.matches(want) }
        case .any(let set): return values.contains { v in set.contains { v.matches($0) } }
        case .except(let set): return values.contains { v in !set.contains { v.matches($0) } }
        case .text(let needle):
            return values.contains { v in
                if case .string(let s) = v { return s.contains(needle) }
                return false
            }
        }
    }
}

/// `range` (and `values_count`): any of `gt`, `gte`, `lt`, `lte`.
public struct NumericRange: Sendable, Equatable, Codable {
    public var gt: Double?
    public var gte: Double?
    public var lt: Double?
    public var lte: Double?

    public init(gt: Double? = nil, gte: Double? = nil, lt: Double? = nil, lte: Double? = nil) {
        self.gt = gt
        self.gte = gte
        self.lt = lt
        self.lte = lte
    }

    func contains(_ x: Double) -> Bool {
        if let gt, !(x > gt) { return false }
        if let gte, !(x >= gte) { return false }
        if let lt, !(x < lt) { return false }
        if let lte, !(x <= lte) { return false }
        return true
    }
}

/// A payload key path: `a.b.c`, with `[]` marking an array to flatten (`tags[]`, `items[].name`).
/// Arrays met along the path are flattened too, so `a.b` reaches into arrays of objects.
struct PayloadPath {
    let parts: [String]

    init(_ key: String) {
        parts = key.split(separator: ".", omittingEmptySubsequences: false).map { part in
            part.hasSuffix("[]") ? String(part.dropLast(2)) : String(part)
        }
    }

    /// Every value at the path. A leaf array is flattened into its elements unless `flattenLeaf` is false.
    func values(in payload: Payload, flattenLeaf: Bool = true) -> [JSONValue] {
        var current: [JSONValue] = [.object(payload)]
        for part in parts {
            var next: [JSONValue] = []
            for v in current {
                switch v {
                case .object(let o): if let x = o[part] { next.append(x) }
                case .array(let a):
                    for e in a { if case .object(let o) = e, let x = o[part] { next.append(x) } }
                default: break
                }
            }
            current = next
        }
        guard flattenLeaf else { return current }
        return current.flatMap { v -> [JSONValue] in
            if case .array(let a) = v { return a }
            return [v]
        }
    }
}
