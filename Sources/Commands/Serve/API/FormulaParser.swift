import Engine

/// Reads a `formula` expression as Qdrant's REST API spells it.
enum FormulaParser {
    static func unary(_ k: String) -> ((Expression) -> Expression)? {
        switch k {
        case "neg": return Expression.neg
        case "abs": return Expression.abs
        case "sqrt": return Expression.sqrt
        case "exp": return Expression.exp
        case "log10": return Expression.log10
        case "ln": return Expression.ln
        default: return nil
        }
    }

    static func variadic(_ k: String) -> (([Expression]) -> Expression)? {
        switch k {
        case "mult": return Expression.mult
        case "sum": return Expression.sum
        case "max": return Expression.max
        case "min": return Expression.min
        default: return nil
        }
    }

    static func expression(_ v: JSONValue) throws -> Expression {
        switch v {
        case .int, .uint, .double: return .constant(v.number!)
        case .string(let s): return try variable(s)
        case .object(let o):
            guard o.count == 1, let (k, x) = o.first else { return try condition(v) }
            if let make = unary(k) { return make(try expression(x)) }
            if let make = variadic(k) {
                guard case .array(let a) = x else { throw QueryParser.bad("`\(k)` takes a list of expressions") }
                if (k == "max" || k == "min"), a.isEmpty { throw QueryParser.bad("`\(k)` needs at least one operand") }
                return make(try a.map(expression))
            }
            switch k {
            case "div":
                var f = try JSONFields(x, "div")
                guard let l = f.take("left"), let r = f.take("right") else { throw QueryParser.bad("div needs `left` and `right`") }
                let d = try f.double("by_zero_default")
                try f.finish()
                return .div(try expression(l), try expression(r), byZeroDefault: d)
            case "pow":
                var f = try JSONFields(x, "pow")
                guard let b = f.take("base"), let e = f.take("exponent") else { throw QueryParser.bad("pow needs `base` and `exponent`") }
                try f.finish()
                return .pow(try expression(b), try expression(e))
            case "geo_distance":
                var f = try JSONFields(x, "geo_distance")
                guard let origin = try f.decode("origin", GeoPoint.self), let to = try f.string("to") else {
                    throw QueryParser.bad("geo_distance needs `origin` and `to`")
                }
                try f.finish()
                return .geoDistance(origin: origin, to: try QueryParser.path(to))
            case "datetime":
                guard case .string(let s) = x, let us = QdrantDatetime.microseconds(s) else {
                    throw QueryParser.bad("Expected datetime in supported format for \(x)")
                }
                return .datetime(Double(us) / 1e6)
            case "datetime_key":
                guard case .string(let s) = x else { throw QueryParser.bad("datetime_key must be a payload key") }
                return .datetimeKey(try QueryParser.path(s))
            case "lin_decay", "exp_decay", "gauss_decay":
                return try decay(Expression.DecayKind(rawValue: k)!, x)
            default:
                return try condition(v)
            }
        default:
            throw QueryParser.bad("a formula expression must be a number, a variable, a condition or an expression object")
        }
    }

    /// `$score`, `$score[n]`, or a payload key.
    static func variable(_ s: String) throws -> Expression {
        guard s.hasPrefix("$score") else { return .variable(try QueryParser.path(s)) }
        let rest = s.dropFirst("$score".count)
        if rest.isEmpty { return .score(0) }
        guard rest.hasPrefix("["), rest.hasSuffix("]"), let n = Int(rest.dropFirst().dropLast()), n >= 0,
            rest.dropFirst().dropLast().allSatisfy(\.isASCII)
        else { throw QueryParser.bad("Invalid score pattern: \(s)") }
        return .score(n)
    }

    static func condition(_ v: JSONValue) throws -> Expression {
        .condition(try JSONFields.decode(v, Condition.self))
    }

    static func decay(_ kind: Expression.DecayKind, _ v: JSONValue) throws -> Expression {
        var f = try JSONFields(v, kind.rawValue)
        guard let x = f.take("x") else { throw QueryParser.bad("\(kind.rawValue) needs `x`") }
        let target = try f.take("target").map(expression)
        let midpoint = try f.double("midpoint") ?? 0.5
        let scale = try f.double("scale") ?? 1
        try f.finish()
        if kind == .lin {
            guard (0...1).contains(midpoint) else {
                throw QueryParser.bad("Linear decay midpoint should be in the range [0.0, 1.0], got \(midpoint)")
            }
        } else if !(midpoint > 0 && midpoint < 1) {
            throw QueryParser.bad("Decay midpoint should be in the range (0.0, 1.0), got \(midpoint)")
        }
        guard scale > 0 else { throw QueryParser.bad("Scale must be non-zero positive, got \(scale)") }
        return .decay(kind, x: try expression(x), target: target, midpoint: midpoint, scale: scale)
    }
}
