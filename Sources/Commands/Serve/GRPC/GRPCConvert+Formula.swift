import Engine
import QdrantProto

/// `Query.formula` over gRPC: the message read as REST's JSON form and parsed by `FormulaParser`,
/// so both APIs validate and build one `Formula` the same way.
extension GRPCQuery {
    static func formula(_ f: Qdrant_Formula) throws -> Formula {
        try GRPCCall.rejectUnknownFields(f)
        guard f.hasExpression else { throw GRPCConvert.badInput("a formula needs an expression") }
        let defaults = try f.defaults.mapValues(GRPCConvert.json)
        return Formula(expression: try FormulaParser.expression(try expressionJSON(f.expression)), defaults: defaults)
    }

    static func expressionJSON(_ e: Qdrant_Expression) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(e)
        func one(_ k: String, _ x: Qdrant_Expression) throws -> JSONValue { .object([k: try expressionJSON(x)]) }
        func list(_ k: String, _ xs: [Qdrant_Expression]) throws -> JSONValue { .object([k: .array(try xs.map(expressionJSON))]) }
        switch e.variant {
        case .constant(let c)?: return .double(Double(c))
        case .variable(let v)?: return .string(v)
        case .condition(let c)?: return try GRPCConvert.conditionJSON(c)
        case .geoDistance(let g)?:
            try GRPCCall.rejectUnknownFields(g)
            return .object(["geo_distance": .object(["origin": try GRPCConvert.geoJSON(g.origin), "to": .string(g.to)])])
        case .datetime(let s)?: return .object(["datetime": .string(s)])
        case .datetimeKey(let s)?: return .object(["datetime_key": .string(s)])
        case .mult(let m)?: return try list("mult", m.mult)
        case .sum(let m)?: return try list("sum", m.sum)
        case .max(let m)?: return try list("max", m.max)
        case .min(let m)?: return try list("min", m.min)
        case .div(let d)?:
            try GRPCCall.rejectUnknownFields(d)
            var o: [String: JSONValue] = ["left": try expressionJSON(d.left), "right": try expressionJSON(d.right)]
            if d.hasByZeroDefault { o["by_zero_default"] = .double(Double(d.byZeroDefault)) }
            return .object(["div": .object(o)])
        case .pow(let p)?:
            try GRPCCall.rejectUnknownFields(p)
            return .object(["pow": .object(["base": try expressionJSON(p.base), "exponent": try expressionJSON(p.exponent)])])
        case .neg(let x)?: return try one("neg", x)
        case .abs(let x)?: return try one("abs", x)
        case .sqrt(let x)?: return try one("sqrt", x)
        case .exp(let x)?: return try one("exp", x)
        case .log10(let x)?: return try one("log10", x)
        case .ln(let x)?: return try one("ln", x)
        case .expDecay(let d)?: return try decay("exp_decay", d)
        case .gaussDecay(let d)?: return try decay("gauss_decay", d)
        case .linDecay(let d)?: return try decay("lin_decay", d)
        case nil: throw GRPCConvert.badInput("a formula expression needs one of its variants")
        }
    }

    private static func decay(_ k: String, _ d: Qdrant_DecayParamsExpression) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(d)
        var o: [String: JSONValue] = ["x": try expressionJSON(d.x)]
        if d.hasTarget { o["target"] = try expressionJSON(d.target) }
        if d.hasScale { o["scale"] = .double(Double(d.scale)) }
        if d.hasMidpoint { o["midpoint"] = .double(Double(d.midpoint)) }
        return .object([k: .object(o)])
    }
}
