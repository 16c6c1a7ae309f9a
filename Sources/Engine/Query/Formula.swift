import Foundation

/// A `formula` query's expression (Qdrant's score boosting): constants, variables (`$score`,
/// `$score[n]`, payload paths), conditions (1 when they hold, else 0), arithmetic, and decay
/// functions. Evaluated in Double, as Qdrant does, then rounded to a Float score.
public indirect enum Expression: Sendable, Equatable {
    case constant(Double)
    /// `$score[n]`: the point's score in prefetch `n` (its default, else 0, when absent).
    case score(Int)
    case variable(JSONPath)
    case condition(Condition)
    case mult([Expression])
    case sum([Expression])
    case max([Expression])
    case min([Expression])
    case neg(Expression)
    case abs(Expression)
    case div(Expression, Expression, byZeroDefault: Double?)
    case sqrt(Expression)
    case pow(Expression, Expression)
    case exp(Expression)
    case log10(Expression)
    case ln(Expression)
    case geoDistance(origin: GeoPoint, to: JSONPath)
    /// A datetime constant, as seconds since the epoch.
    case datetime(Double)
    case datetimeKey(JSONPath)
    case decay(DecayKind, x: Expression, target: Expression?, midpoint: Double, scale: Double)

    public enum DecayKind: String, Sendable { case lin = "lin_decay", exp = "exp_decay", gauss = "gauss_decay" }
}

/// `{"formula": …, "defaults": {…}}`.
public struct Formula: Sendable, Equatable {
    public var expression: Expression
    /// Defaults by variable: payload paths as written, `$score[n]` for scores.
    public var defaults: [String: JSONValue]

    public init(expression: Expression, defaults: [String: JSONValue] = [:]) {
        self.expression = expression
        self.defaults = defaults
    }
}

/// Why a formula could not be evaluated for a point (a 400 in Qdrant).
struct FormulaError: Error { var message: String }

extension Formula {
    /// The score of one point. `scores[n]` are the prefetch scores by id.
    func evaluate(id: PointID, payload: Payload, scores: [[PointID: Float]], hasVector: (Int) -> Bool) throws -> Double {
        try eval(expression, id, payload, scores, hasVector)
    }

    private func nonFinite(_ what: String) -> FormulaError {
        FormulaError(message: "The expression \(what) produced a non-finite number")
    }

    /// A payload value at `path`, else the default; a one-element array is that element.
    private func value(_ path: JSONPath, _ payload: Payload) throws -> JSONValue {
        var values = path.values(in: payload)
        if values.isEmpty {
            switch defaults[path.description] {
            case .array(let a)?: values = a
            case let v?: values = [v]
            case nil: break
            }
        }
        if values.count == 1 { return values[0] }
        if values.isEmpty { throw FormulaError(message: "No value found for \(path) in the payload nor the formula defaults") }
        return .array(values)
    }

    private func eval(_ e: Expression, _ id: PointID, _ p: Payload, _ s: [[PointID: Float]], _ hv: (Int) -> Bool) throws -> Double {
        func ev(_ x: Expression) throws -> Double { try eval(x, id, p, s, hv) }
        switch e {
        case .constant(let c): return c
        case .score(let n):
            if n < s.count, let v = s[n][id] { return Double(v) }
            return defaults["$score[\(n)]"]?.number ?? 0
        case .variable(let path):
            let v = try value(path, p)
            switch v {
            case .int, .uint, .double: return v.number!
            default: throw FormulaError(message: "Expected number value for \(path) in the payload and/or in the formula defaults. Error: Value is not a number")
            }
        case .condition(let c): return c.matches(id: id, payload: p, hv) ? 1 : 0
        case .mult(let xs):
            var r = 1.0
            for x in xs {
                let f = try ev(x)
                if f == 0 { return f }
                r *= f
            }
            return r
        case .sum(let xs): return try xs.reduce(0) { try $0 + ev($1) }
        case .max(let xs): return try xs.reduce(-Double.infinity) { Swift.max($0, try ev($1)) }
        case .min(let xs): return try xs.reduce(Double.infinity) { Swift.min($0, try ev($1)) }
        case .neg(let x): return -(try ev(x))
        case .abs(let x): return Swift.abs(try ev(x))
        case .div(let l, let r, let dflt):
            let left = try ev(l)
            if left == 0 { return left }
            let right = try ev(r)
            if right == 0 {
                if let dflt { return dflt }
                throw nonFinite("\(left)/\(right)")
            }
            let q = left / right
            guard q.isFinite else { throw nonFinite("\(left)/\(right)") }
            return q
        case .sqrt(let x):
            let v = try ev(x)
            guard v >= 0 else { throw nonFinite("√\(v)") }
            return v.squareRoot()
        case .pow(let b, let x):
            let base = try ev(b), ex = try ev(x)
            let r = Foundation.pow(base, ex)
            guard r.isFinite else { throw nonFinite("\(base)^\(ex)") }
            return r
        case .exp(let x):
            let v = try ev(x)
            let r = Foundation.exp(v)
            guard r.isFinite else { throw nonFinite("exp(\(v))") }
            return r
        case .log10(let x):
            let v = try ev(x)
            guard v > 0 else { throw nonFinite("log10(\(v))") }
            return Foundation.log10(v)
        case .ln(let x):
            let v = try ev(x)
            guard v > 0 else { throw nonFinite("ln(\(v))") }
            return Foundation.log(v)
        case .geoDistance(let origin, let to):
            guard let point = GeoPoint(try value(to, p)) else {
                throw FormulaError(message: "Expected geo point for \(to) in the payload and/or in the formula defaults.")
            }
            return origin.distance(to: point)
        case .datetime(let t): return t
        case .datetimeKey(let path):
            guard case .string(let str) = try value(path, p), let us = QdrantDatetime.microseconds(str) else {
                throw FormulaError(message: "Expected datetime for \(path) in the payload and/or in the formula defaults.")
            }
            return Double(us) / 1e6
        case .decay(let kind, let x, let target, let midpoint, let scale):
            let xv = try ev(x)
            let t = try target.map(ev) ?? 0
            switch kind {
            case .lin: return Swift.max(0, -((1 - midpoint) / scale) * Swift.abs(xv - t) + 1)
            case .exp: return Foundation.exp(Foundation.log(midpoint) / scale * Swift.abs(xv - t))
            case .gauss: return Foundation.exp(Foundation.log(midpoint) / (scale * scale) * (xv - t) * (xv - t))
            }
        }
    }
}
