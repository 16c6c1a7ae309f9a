import Engine
import Foundation
import QdrantProto
import SwiftProtobuf

extension GRPCConvert {
    /// A gRPC filter as the engine's `Filter`. The message is rewritten into the REST API's JSON
    /// form and decoded by the same `Filter` decoder REST uses, so both APIs accept the same
    /// filters with the same validation and messages.
    static func filter(_ f: Qdrant_Filter) throws -> Filter {
        let json = try filterJSON(f)
        do {
            return try JSONDecoder().decode(Filter.self, from: try JSONEncoder().encode(json))
        } catch let e as DecodingError {
            throw APIError.from(e)
        }
    }

    static func filterJSON(_ f: Qdrant_Filter) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(f)
        var o: [String: JSONValue] = [:]
        if !f.must.isEmpty { o["must"] = .array(try f.must.map(conditionJSON)) }
        if !f.should.isEmpty { o["should"] = .array(try f.should.map(conditionJSON)) }
        if !f.mustNot.isEmpty { o["must_not"] = .array(try f.mustNot.map(conditionJSON)) }
        if f.hasMinShould {
            try GRPCCall.rejectUnknownFields(f.minShould)
            o["min_should"] = .object([
                "conditions": .array(try f.minShould.conditions.map(conditionJSON)), "min_count": .uint(f.minShould.minCount),
            ])
        }
        return .object(o)
    }

    static func conditionJSON(_ c: Qdrant_Condition) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(c)
        switch c.conditionOneOf {
        case .field(let f)?: return try fieldJSON(f)
        case .isEmpty(let e)?:
            try GRPCCall.rejectUnknownFields(e)
            return .object(["is_empty": .object(["key": .string(e.key)])])
        case .isNull(let n)?:
            try GRPCCall.rejectUnknownFields(n)
            return .object(["is_null": .object(["key": .string(n.key)])])
        case .hasID_p(let h)?:
            try GRPCCall.rejectUnknownFields(h)
            return .object(["has_id": .array(try h.hasID_p.map { idJSON(try pointID($0)) })])
        case .filter(let inner)?:
            return try filterJSON(inner)
        case .nested(let n)?:
            try GRPCCall.rejectUnknownFields(n)
            return .object(["nested": .object(["key": .string(n.key), "filter": try filterJSON(n.filter)])])
        case .hasVector_p(let h)?:
            try GRPCCall.rejectUnknownFields(h)
            return .object(["has_vector": .string(h.hasVector_p)])
        case nil:
            throw badInput("a filter condition is empty")
        }
    }

    static func idJSON(_ id: PointID) -> JSONValue {
        switch id {
        case .number(let n): return .uint(n)
        case .uuid: return .string(id.description)
        }
    }

    static func fieldJSON(_ f: Qdrant_FieldCondition) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(f)
        var o: [String: JSONValue] = ["key": .string(f.key)]
        if f.hasMatch { o["match"] = try matchJSON(f.match) }
        if f.hasRange {
            let r = f.range
            try GRPCCall.rejectUnknownFields(r)
            o["range"] = bounds(lt: r.hasLt ? r.lt : nil, gt: r.hasGt ? r.gt : nil, gte: r.hasGte ? r.gte : nil, lte: r.hasLte ? r.lte : nil)
        }
        if f.hasGeoBoundingBox {
            try GRPCCall.rejectUnknownFields(f.geoBoundingBox)
            o["geo_bounding_box"] = .object([
                "top_left": try geoJSON(f.geoBoundingBox.topLeft), "bottom_right": try geoJSON(f.geoBoundingBox.bottomRight),
            ])
        }
        if f.hasGeoRadius {
            try GRPCCall.rejectUnknownFields(f.geoRadius)
            o["geo_radius"] = .object(["center": try geoJSON(f.geoRadius.center), "radius": .double(Double(f.geoRadius.radius))])
        }
        if f.hasGeoPolygon {
            let p = f.geoPolygon
            try GRPCCall.rejectUnknownFields(p)
            func ring(_ l: Qdrant_GeoLineString) throws -> JSONValue {
                try GRPCCall.rejectUnknownFields(l)
                return .object(["points": .array(try l.points.map(geoJSON))])
            }
            o["geo_polygon"] = .object(["exterior": try ring(p.exterior), "interiors": .array(try p.interiors.map(ring))])
        }
        if f.hasDatetimeRange {
            let r = f.datetimeRange
            try GRPCCall.rejectUnknownFields(r)
            func iso(_ has: Bool, _ t: SwiftProtobuf.Google_Protobuf_Timestamp) -> JSONValue? {
                guard has else { return nil }
                let f = ISO8601DateFormatter()
                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                return .string(f.string(from: t.date))
            }
            var b: [String: JSONValue] = [:]
            for (k, v) in [("lt", iso(r.hasLt, r.lt)), ("gt", iso(r.hasGt, r.gt)), ("gte", iso(r.hasGte, r.gte)), ("lte", iso(r.hasLte, r.lte))] {
                if let v { b[k] = v }
            }
            o["range"] = .object(b)
        }
        if f.hasIsEmpty { o["is_empty"] = .bool(f.isEmpty) }
        if f.hasIsNull { o["is_null"] = .bool(f.isNull) }
        if f.hasValuesCount {
            let v = f.valuesCount
            try GRPCCall.rejectUnknownFields(v)
            func d(_ has: Bool, _ x: UInt64) -> Double? { has ? Double(x) : nil }
            o["values_count"] = bounds(
                lt: d(v.hasLt, v.lt), gt: d(v.hasGt, v.gt), gte: d(v.hasGte, v.gte), lte: d(v.hasLte, v.lte))
        }
        return .object(o)
    }

    static func geoJSON(_ p: Qdrant_GeoPoint) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(p)
        return .object(["lon": .double(p.lon), "lat": .double(p.lat)])
    }

    static func bounds(lt: Double?, gt: Double?, gte: Double?, lte: Double?) -> JSONValue {
        var o: [String: JSONValue] = [:]
        for (k, v) in [("lt", lt), ("gt", gt), ("gte", gte), ("lte", lte)] { if let v { o[k] = .double(v) } }
        return .object(o)
    }

    static func matchJSON(_ m: Qdrant_Match) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(m)
        switch m.matchValue {
        case .keyword(let s)?: return .object(["value": .string(s)])
        case .integer(let i)?: return .object(["value": .int(i)])
        case .boolean(let b)?: return .object(["value": .bool(b)])
        case .text(let t)?: return .object(["text": .string(t)])
        case .keywords(let k)?: return .object(["any": .array(k.strings.map(JSONValue.string))])
        case .integers(let i)?: return .object(["any": .array(i.integers.map(JSONValue.int))])
        case .exceptKeywords(let k)?: return .object(["except": .array(k.strings.map(JSONValue.string))])
        case .exceptIntegers(let i)?: return .object(["except": .array(i.integers.map(JSONValue.int))])
        case .phrase(let t)?: return .object(["phrase": .string(t)])
        case .textAny(let t)?: return .object(["text_any": .string(t)])
        case .prefix(let t)?: return .object(["prefix": .string(t)])
        case nil: throw badInput("a match condition is empty")
        }
    }
}
