import Foundation

/// A JSON object key for the hand-written decoders below, which refuse unknown keys by name
/// (Qdrant's filter types deny unknown fields).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where K == AnyKey {
    /// Throws naming the first key not in `allowed`.
    func rejectUnknown(_ allowed: Set<String>, in what: String) throws {
        if let bad = allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath, debugDescription: "unknown field `\(bad)` in \(what); expected one of \(allowed.sorted().joined(separator: ", "))"))
        }
    }

    func present(_ k: String) throws -> Bool {
        contains(AnyKey(k)) ? try !decodeNil(forKey: AnyKey(k)) : false
    }

    func path(_ k: String) throws -> JSONPath {
        let raw = try decode(String.self, forKey: AnyKey(k))
        do { return try JSONPath(raw) } catch let e as StorageError {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [AnyKey(k)], debugDescription: e.message))
        }
    }
}

extension Filter: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        try c.rejectUnknown(["must", "should", "must_not", "min_should"], in: "filter")
        must = try Filter.decodeClause(c, "must")
        should = try Filter.decodeClause(c, "should")
        mustNot = try Filter.decodeClause(c, "must_not")
        if try c.present("min_should") {
            let m = try c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("min_should"))
            try m.rejectUnknown(["conditions", "min_count"], in: "min_should")
            let n = try m.decode(Int.self, forKey: AnyKey("min_count"))
            guard n >= 1 else {
                throw DecodingError.dataCorrupted(.init(codingPath: m.codingPath, debugDescription: "min_count value \(n) is invalid. Must be 1 or larger."))
            }
            minShould = MinShould(conditions: try m.decode([Condition].self, forKey: AnyKey("conditions")), minCount: n)
        }
    }

    static func decodeClause(_ c: KeyedDecodingContainer<AnyKey>, _ key: String) throws -> [Condition] {
        guard try c.present(key) else { return [] }
        if case .array? = try? c.decode(JSONValue.self, forKey: AnyKey(key)) {
            return try c.decode([Condition].self, forKey: AnyKey(key))
        }
        return [try c.decode(Condition.self, forKey: AnyKey(key))]
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        if !must.isEmpty { try c.encode(must, forKey: AnyKey("must")) }
        if !should.isEmpty { try c.encode(should, forKey: AnyKey("should")) }
        if !mustNot.isEmpty { try c.encode(mustNot, forKey: AnyKey("must_not")) }
        if let m = minShould {
            var n = c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("min_should"))
            try n.encode(m.conditions, forKey: AnyKey("conditions"))
            try n.encode(m.minCount, forKey: AnyKey("min_count"))
        }
    }
}

extension Condition: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        let keys = Set(c.allKeys.map(\.stringValue))
        func keyOf(_ k: String) throws -> JSONPath {
            let inner = try c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(k))
            try inner.rejectUnknown(["key"], in: k)
            return try inner.path("key")
        }
        if keys.contains("has_id") {
            try c.rejectUnknown(["has_id"], in: "has_id condition")
            self = .hasID(Set(try c.decode([PointID].self, forKey: AnyKey("has_id"))))
        } else if keys.contains("has_vector") {
            try c.rejectUnknown(["has_vector"], in: "has_vector condition")
            self = .hasVector(try c.decode(String.self, forKey: AnyKey("has_vector")), slot: -1)
        } else if keys.contains("is_empty"), !keys.contains("key") {
            try c.rejectUnknown(["is_empty"], in: "is_empty condition")
            self = .isEmpty(try keyOf("is_empty"))
        } else if keys.contains("is_null"), !keys.contains("key") {
            try c.rejectUnknown(["is_null"], in: "is_null condition")
            self = .isNull(try keyOf("is_null"))
        } else if keys.contains("nested") {
            try c.rejectUnknown(["nested"], in: "nested condition")
            let n = try c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("nested"))
            try n.rejectUnknown(["key", "filter"], in: "nested")
            var key = try n.decode(String.self, forKey: AnyKey("key"))
            if key.count > 2, key.hasSuffix("[]") { key.removeLast(2) }
            let path: JSONPath
            do { path = try JSONPath(key) } catch let e as StorageError {
                throw DecodingError.dataCorrupted(.init(codingPath: n.codingPath, debugDescription: e.message))
            }
            self = .nested(path, try n.decode(Filter.self, forKey: AnyKey("filter")))
        } else if keys.contains("key") {
            self = .field(try FieldCondition(from: decoder))
        } else if keys.isEmpty || !keys.isDisjoint(with: ["must", "should", "must_not", "min_should"]) {
            self = .filter(try Filter(from: decoder))
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown filter condition with keys \(keys.sorted()); expected key, has_id, has_vector, is_empty, is_null, nested or a nested filter"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        switch self {
        case .field(let f): try f.encode(to: encoder)
        case .isEmpty(let k): try c.encode(["key": k.description], forKey: AnyKey("is_empty"))
        case .isNull(let k): try c.encode(["key": k.description], forKey: AnyKey("is_null"))
        case .hasID(let ids): try c.encode(ids.sorted(), forKey: AnyKey("has_id"))
        case .hasVector(let name, _): try c.encode(name, forKey: AnyKey("has_vector"))
        case .nested(let k, let f):
            var n = c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("nested"))
            try n.encode(k.description, forKey: AnyKey("key"))
            try n.encode(f, forKey: AnyKey("filter"))
        case .filter(let f): try f.encode(to: encoder)
        }
    }
}

extension FieldCondition: Codable {
    static let fields: Set<String> = [
        "key", "match", "range", "geo_bounding_box", "geo_radius", "geo_polygon", "values_count", "is_empty", "is_null",
    ]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        try c.rejectUnknown(Self.fields, in: "field condition")
        key = try c.path("key")
        func opt<T: Decodable>(_ k: String, _ t: T.Type) throws -> T? {
            try c.present(k) ? try c.decode(T.self, forKey: AnyKey(k)) : nil
        }
        match = try opt("match", Match.self)
        range = try opt("range", RangeCondition.self)
        valuesCount = try opt("values_count", NumericRange.self)
        geoBoundingBox = try opt("geo_bounding_box", GeoBoundingBox.self)
        geoRadius = try opt("geo_radius", GeoRadius.self)
        geoPolygon = try opt("geo_polygon", GeoPolygon.self)
        try geoPolygon?.validate()
        isEmpty = try opt("is_empty", Bool.self)
        isNull = try opt("is_null", Bool.self)
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: c.codingPath,
                debugDescription: "field condition on `\(key)` needs one of match, range, geo_bounding_box, geo_radius, geo_polygon, values_count, is_empty or is_null"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encode(key.description, forKey: AnyKey("key"))
        try c.encodeIfPresent(match, forKey: AnyKey("match"))
        try c.encodeIfPresent(range, forKey: AnyKey("range"))
        try c.encodeIfPresent(valuesCount, forKey: AnyKey("values_count"))
        try c.encodeIfPresent(geoBoundingBox, forKey: AnyKey("geo_bounding_box"))
        try c.encodeIfPresent(geoRadius, forKey: AnyKey("geo_radius"))
        try c.encodeIfPresent(geoPolygon, forKey: AnyKey("geo_polygon"))
        try c.encodeIfPresent(isEmpty, forKey: AnyKey("is_empty"))
        try c.encodeIfPresent(isNull, forKey: AnyKey("is_null"))
    }
}

extension RangeCondition: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        try c.rejectUnknown(["gt", "gte", "lt", "lte"], in: "range")
        let raw = try ["gt", "gte", "lt", "lte"].map { k in try c.present(k) ? try c.decode(JSONValue.self, forKey: AnyKey(k)) : nil }
        let isDatetime = raw.contains { if case .string? = $0 { return true } else { return false } }
        let bounds: [Double?] = try raw.map { v in
            guard let v else { return nil }
            if isDatetime {
                guard case .string(let s) = v, let t = QdrantDatetime.microseconds(s) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "range bound \(v) is not an RFC 3339 datetime"))
                }
                return Double(t)
            }
            guard let x = v.number, x.isFinite else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "range bounds must be numbers or RFC 3339 datetimes"))
            }
            return x
        }
        let r = NumericRange(gt: bounds[0], gte: bounds[1], lt: bounds[2], lte: bounds[3])
        self = isDatetime ? .datetime(r) : .number(r)
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .number(let r): try r.encode(to: encoder)
        case .datetime(let r):
            var c = encoder.container(keyedBy: AnyKey.self)
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            for (k, v) in [("gt", r.gt), ("gte", r.gte), ("lt", r.lt), ("lte", r.lte)] {
                if let v { try c.encode(f.string(from: Date(timeIntervalSince1970: v / 1e6)), forKey: AnyKey(k)) }
            }
        }
    }
}

extension Match: Codable {
    static let kinds = ["value", "any", "except", "text", "text_any", "phrase", "prefix"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        try c.rejectUnknown(Set(Self.kinds), in: "match")
        guard c.allKeys.count == 1, let k = c.allKeys.first?.stringValue else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "match needs exactly one of \(Self.kinds.joined(separator: ", "))"))
        }
        func s() throws -> String { try c.decode(String.self, forKey: AnyKey(k)) }
        switch k {
        case "value": self = .value(try c.decode(JSONValue.self, forKey: AnyKey(k)))
        case "any": self = .any(try c.decode([JSONValue].self, forKey: AnyKey(k)))
        case "except": self = .except(try c.decode([JSONValue].self, forKey: AnyKey(k)))
        case "text": self = .text(try s())
        case "text_any": self = .textAny(try s())
        case "phrase": self = .phrase(try s())
        default: self = .prefix(try s())
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        switch self {
        case .value(let v): try c.encode(v, forKey: AnyKey("value"))
        case .any(let v): try c.encode(v, forKey: AnyKey("any"))
        case .except(let v): try c.encode(v, forKey: AnyKey("except"))
        case .text(let v): try c.encode(v, forKey: AnyKey("text"))
        case .textAny(let v): try c.encode(v, forKey: AnyKey("text_any"))
        case .phrase(let v): try c.encode(v, forKey: AnyKey("phrase"))
        case .prefix(let v): try c.encode(v, forKey: AnyKey("prefix"))
        }
    }
}
