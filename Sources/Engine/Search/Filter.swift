/// A Qdrant filter: `must` (all), `should` (at least one, when given), `must_not` (none) and
/// `min_should` (at least `min_count` of its conditions). Each clause takes one condition or an
/// array of them, as Qdrant accepts. Semantics follow Qdrant 1.19 (and the official client's
/// local mode, which the differential tests compare against).
public struct Filter: Sendable, Equatable {
    public var must: [Condition] = []
    public var should: [Condition] = []
    public var mustNot: [Condition] = []
    public var minShould: MinShould?

    public init(must: [Condition] = [], should: [Condition] = [], mustNot: [Condition] = [], minShould: MinShould? = nil) {
        self.must = must
        self.should = should
        self.mustNot = mustNot
        self.minShould = minShould
    }

    /// Whether the point with `id` and `payload` passes the filter. `hasVector` answers
    /// `has_vector` conditions by vector slot (see `bindingVectors`).
    public func matches(id: PointID?, payload: Payload, hasVector: (Int) -> Bool = { _ in false }) -> Bool {
        for c in must where !c.matches(id: id, payload: payload, hasVector) { return false }
        for c in mustNot where c.matches(id: id, payload: payload, hasVector) { return false }
        if !should.isEmpty, !should.contains(where: { $0.matches(id: id, payload: payload, hasVector) }) { return false }
        if let m = minShould {
            var n = 0
            for c in m.conditions where c.matches(id: id, payload: payload, hasVector) { n += 1 }
            if n < m.minCount { return false }
        }
        return true
    }

    /// The filter with `has_vector` names resolved to vector slots of a collection whose vectors
    /// are `names` (by slot). An unknown name matches no point.
    public func bindingVectors(_ names: [String]) -> Filter {
        func bind(_ c: Condition) -> Condition {
            switch c {
            case .hasVector(let name, _): return .hasVector(name, slot: names.firstIndex(of: name) ?? -1)
            case .filter(let f): return .filter(f.bindingVectors(names))
            default: return c
            }
        }
        return mappingConditions(bind)
    }

    /// The filter with `bind` applied to each of its top-level conditions (every clause).
    func mappingConditions(_ bind: (Condition) -> Condition) -> Filter {
        Filter(
            must: must.map(bind), should: should.map(bind), mustNot: mustNot.map(bind),
            minShould: minShould.map { MinShould(conditions: $0.conditions.map(bind), minCount: $0.minCount) })
    }

    /// Whether any condition, at any depth, is `has_vector` (the scan then needs vector presence).
    var usesVectors: Bool {
        func uses(_ c: Condition) -> Bool {
            switch c {
            case .hasVector: return true
            case .filter(let f): return f.usesVectors
            default: return false
            }
        }
        return (must + should + mustNot + (minShould?.conditions ?? [])).contains(where: uses)
    }
}

/// `min_should`: at least `minCount` of `conditions` must hold.
public struct MinShould: Sendable, Equatable {
    public var conditions: [Condition]
    public var minCount: Int

    public init(conditions: [Condition], minCount: Int) {
        self.conditions = conditions
        self.minCount = minCount
    }
}

/// One condition of a filter.
public indirect enum Condition: Sendable, Equatable {
    case field(FieldCondition)
    case isEmpty(JSONPath)
    case isNull(JSONPath)
    case hasID(Set<PointID>)
    /// `has_vector`; `slot` is filled in by `Filter.bindingVectors` (-1: no such vector).
    case hasVector(String, slot: Int)
    case nested(JSONPath, Filter)
    case filter(Filter)

    func matches(id: PointID?, payload: Payload, _ hasVector: (Int) -> Bool) -> Bool {
        switch self {
        case .field(let f): return f.matches(payload)
        case .isEmpty(let path): return PayloadPredicates.isEmpty(path.values(in: payload, flat: false))
        case .isNull(let path): return PayloadPredicates.isNull(path.values(in: payload, flat: false))
        case .hasID(let ids):
            guard let id else { return false }
            return ids.contains(id)
        case .hasVector(_, let slot):
            return id != nil && slot >= 0 && hasVector(slot)
        case .nested(let path, let filter):
            // The array elements at `path` (objects only), each tested on its own; inside, no
            // point id and no vectors.
            for v in path.values(in: payload, flat: false) {
                guard case .array(let a) = v else { continue }
                for e in a {
                    if case .object(let o) = e, filter.matches(id: nil, payload: o) { return true }
                }
            }
            return false
        case .filter(let f):
            return f.matches(id: id, payload: payload, hasVector: hasVector)
        }
    }
}

/// `is_empty`, `is_null` and `values_count` over the values a path selects (arrays kept whole).
enum PayloadPredicates {
    /// Nothing selected, or every selected value is null or `[]`.
    static func isEmpty(_ values: [JSONValue]) -> Bool {
        values.allSatisfy { v in
            switch v {
            case .null: return true
            case .array(let a): return a.isEmpty
            default: return false
            }
        }
    }

    /// Some selected value is null, or an array holding a null (one level deep).
    static func isNull(_ values: [JSONValue]) -> Bool {
        values.contains { v in
            switch v {
            case .null: return true
            case .array(let a): return a.contains(.null)
            default: return false
            }
        }
    }

    /// Each selected value's count (null 0, array its length, else 1); `[0]` when all are null
    /// or nothing is selected.
    static func valueCounts(_ values: [JSONValue]) -> [Double] {
        if values.allSatisfy({ $0 == .null }) { return [0] }
        return values.map { v in
            switch v {
            case .null: return 0
            case .array(let a): return Double(a.count)
            default: return 1
            }
        }
    }
}

/// `{"key": …, "match"|"range"|"geo_*"|"values_count"|"is_empty"|"is_null": …}`. As Qdrant's
/// local mode, the first of those present (in that order: values_count, is_empty, is_null,
/// match, range, geo_bounding_box, geo_radius, geo_polygon) decides.
public struct FieldCondition: Sendable, Equatable {
    public var key: JSONPath
    public var match: Match?
    public var range: RangeCondition?
    public var geoBoundingBox: GeoBoundingBox?
    public var geoRadius: GeoRadius?
    public var geoPolygon: GeoPolygon?
    public var valuesCount: NumericRange?
    public var isEmpty: Bool?
    public var isNull: Bool?
    /// The field's text index, bound per request by `Filter.bindingTextIndexes`: a text
    /// condition then tokenizes as that index does (nil: the unindexed word tokenizer).
    var textIndex: TextTokenizer?

    public init(
        key: JSONPath, match: Match? = nil, range: RangeCondition? = nil, valuesCount: NumericRange? = nil,
        geoBoundingBox: GeoBoundingBox? = nil, geoRadius: GeoRadius? = nil, geoPolygon: GeoPolygon? = nil,
        isEmpty: Bool? = nil, isNull: Bool? = nil
    ) {
        self.key = key
        self.match = match
        self.range = range
        self.valuesCount = valuesCount
        self.geoBoundingBox = geoBoundingBox
        self.geoRadius = geoRadius
        self.geoPolygon = geoPolygon
        self.isEmpty = isEmpty
        self.isNull = isNull
    }

    /// A condition on `key` read as a path (leniently: an invalid path is one verbatim key).
    public init(key: String, match: Match? = nil, range: RangeCondition? = nil, valuesCount: NumericRange? = nil) {
        self.init(key: JSONPath(lenient: key), match: match, range: range, valuesCount: valuesCount)
    }

    var isValid: Bool {
        match != nil || range != nil || valuesCount != nil || geoBoundingBox != nil || geoRadius != nil
            || geoPolygon != nil || isEmpty != nil || isNull != nil
    }

    func matches(_ payload: Payload) -> Bool {
        if let valuesCount {
            return PayloadPredicates.valueCounts(key.values(in: payload, flat: false)).contains(where: valuesCount.contains)
        }
        if let isEmpty { return PayloadPredicates.isEmpty(key.values(in: payload, flat: false)) == isEmpty }
        if let isNull { return PayloadPredicates.isNull(key.values(in: payload, flat: false)) == isNull }
        if let textIndex, let match, match.isFullText { return match.matches(strings: key.values(in: payload), textIndex) }
        // A plain key holding a scalar: test it without building arrays (a filtered scan's hot path).
        if let k = key.plainKey {
            switch payload[k] {
            case nil: return false
            case .array?: break
            case let v?: return test(v)
            }
        }
        return key.values(in: payload).contains(where: test)
    }

    private func test(_ v: JSONValue) -> Bool {
        if let match { return match.matches(v) }
        if let range { return range.contains(v) }
        if let geoBoundingBox { return GeoPoint(v).map(geoBoundingBox.contains) ?? false }
        if let geoRadius { return GeoPoint(v).map(geoRadius.contains) ?? false }
        if let geoPolygon { return GeoPoint(v).map(geoPolygon.contains) ?? false }
        return false
    }
}

/// `match` of a field condition.
public enum Match: Sendable, Equatable {
    case value(JSONValue)
    case any([JSONValue])
    case except([JSONValue])
    case text(String)
    case textAny(String)
    case phrase(String)
    case prefix(String)

    func matches(_ v: JSONValue) -> Bool {
        switch self {
        case .value(let want): return v.matchesValue(want)
        case .any(let set): return set.contains { v.matchesValue($0) }
        case .except(let set): return v != .null && !set.contains { v.matchesValue($0) }
        case .text(let q):
            guard case .string(let s) = v else { return false }
            let query = TextTokens.words(q)
            guard !query.isEmpty else { return false }
            let doc = Set(TextTokens.words(s))
            return query.allSatisfy(doc.contains)
        case .textAny(let q):
            guard case .string(let s) = v else { return false }
            let doc = Set(TextTokens.words(s))
            return TextTokens.words(q).contains(where: doc.contains)
        case .phrase(let q):
            guard case .string(let s) = v else { return false }
            let phrase = TextTokens.words(q), doc = TextTokens.words(s)
            guard !phrase.isEmpty, doc.count >= phrase.count else { return false }
            return (0...(doc.count - phrase.count)).contains { i in Array(doc[i..<(i + phrase.count)]) == phrase }
        case .prefix(let p):
            guard case .string(let s) = v else { return false }
            return s.utf8.starts(with: p.utf8)
        }
    }
}

/// Qdrant's default word tokenizer for full-text conditions on fields without a text index:
/// runs of letters and digits, lowercased.
enum TextTokens {
    static func words(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        for ch in s {
            if ch.isLetter || ch.isNumber { cur.append(ch) } else if !cur.isEmpty {
                out.append(cur.lowercased())
                cur = ""
            }
        }
        if !cur.isEmpty { out.append(cur.lowercased()) }
        return out
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

/// A `range` condition: numeric bounds, or RFC 3339 datetime bounds (as microseconds since the
/// epoch) compared with payload strings that parse as datetimes.
public enum RangeCondition: Sendable, Equatable {
    case number(NumericRange)
    case datetime(NumericRange)

    func contains(_ v: JSONValue) -> Bool {
        switch self {
        case .number(let r):
            switch v {
            case .int, .uint, .double: return r.contains(v.number!)
            default: return false
            }
        case .datetime(let r):
            guard case .string(let s) = v, let t = QdrantDatetime.microseconds(s) else { return false }
            return r.contains(Double(t))
        }
    }
}
