extension Filter: Codable {
    enum CodingKeys: String, CodingKey { case must, should, must_not, min_should }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        must = try Filter.decodeClause(c, .must)
        should = try Filter.decodeClause(c, .should)
        mustNot = try Filter.decodeClause(c, .must_not)
        if c.contains(.min_should), try !c.decodeNil(forKey: .min_should) {
            throw DecodingError.dataCorruptedError(
                forKey: .min_should, in: c, debugDescription: "min_should is not supported by qdb yet")
        }
    }

    private static func decodeClause(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [Condition] {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return [] }
        if let many = try? c.decode([Condition].self, forKey: key) { return many }
        return [try c.decode(Condition.self, forKey: key)]
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !must.isEmpty { try c.encode(must, forKey: .must) }
        if !should.isEmpty { try c.encode(should, forKey: .should) }
        if !mustNot.isEmpty { try c.encode(mustNot, forKey: .must_not) }
    }
}

extension Condition: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    struct KeyOnly: Codable { var key: String }
    struct NestedBody: Codable { var key: String; var filter: Filter }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let keys = Set(c.allKeys.map(\.stringValue))
        if keys.contains("has_id") {
            self = .hasID(Set(try c.decode([PointID].self, forKey: Key("has_id"))))
        } else if keys.contains("is_empty") {
            self = .isEmpty(key: try c.decode(KeyOnly.self, forKey: Key("is_empty")).key)
        } else if keys.contains("is_null") {
            self = .isNull(key: try c.decode(KeyOnly.self, forKey: Key("is_null")).key)
        } else if keys.contains("nested") {
            let n = try c.decode(NestedBody.self, forKey: Key("nested"))
            self = .nested(key: n.key, filter: n.filter)
        } else if keys.contains("key") {
            self = .field(try FieldCondition(from: decoder))
        } else if !keys.isDisjoint(with: ["must", "should", "must_not"]) {
            self = .filter(try Filter(from: decoder))
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown filter condition with keys \(keys.sorted()); expected key, has_id, is_empty, is_null, nested or a nested filter"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .field(let f): try f.encode(to: encoder)
        case .isEmpty(let k): try c.encode(KeyOnly(key: k), forKey: Key("is_empty"))
        case .isNull(let k): try c.encode(KeyOnly(key: k), forKey: Key("is_null"))
        case .hasID(let ids): try c.encode(ids.sorted(), forKey: Key("has_id"))
        case .nested(let k, let f): try c.encode(NestedBody(key: k, filter: f), forKey: Key("nested"))
        case .filter(let f): try f.encode(to: encoder)
        }
    }
}

extension FieldCondition: Codable {
    enum CodingKeys: String, CodingKey { case key, match, range, values_count }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        match = try c.decodeIfPresent(Match.self, forKey: .match)
        range = try c.decodeIfPresent(NumericRange.self, forKey: .range)
        valuesCount = try c.decodeIfPresent(NumericRange.self, forKey: .values_count)
        if match == nil, range == nil, valuesCount == nil {
            throw DecodingError.dataCorruptedError(
                forKey: .key, in: c,
                debugDescription: "field condition on `\(key)` needs one of match, range or values_count")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(match, forKey: .match)
        try c.encodeIfPresent(range, forKey: .range)
        try c.encodeIfPresent(valuesCount, forKey: .values_count)
    }
}

extension Match: Codable {
    enum CodingKeys: String, CodingKey { case value, any, except, text }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.value) {
            self = .value(try c.decode(JSONValue.self, forKey: .value))
        } else if c.contains(.any) {
            self = .any(try c.decode([JSONValue].self, forKey: .any))
        } else if c.contains(.except) {
            self = .except(try c.decode([JSONValue].self, forKey: .except))
        } else if c.contains(.text) {
            self = .text(try c.decode(String.self, forKey: .text))
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "match needs one of value, any, except or text"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .value(let v): try c.encode(v, forKey: .value)
        case .any(let v): try c.encode(v, forKey: .any)
        case .except(let v): try c.encode(v, forKey: .except)
        case .text(let v): try c.encode(v, forKey: .text)
        }
    }
}
