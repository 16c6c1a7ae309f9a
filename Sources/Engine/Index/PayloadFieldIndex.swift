import Foundation

/// One indexed payload field of a sealed segment, held in memory for the search planner and the
/// graph's payload links: the structures Qdrant keeps per field schema
/// (`lib/segment/src/index/field_index/index_selector.rs`), with their estimates:
///
/// - a value map (keyword, integer `lookup`, uuid, bool): each value's points, as
///   `map_index/` — `match` value/any/except;
/// - a sorted value list (integer `range`, float, datetime), as `numeric_index/` — `range`.
///   Qdrant estimates ranges from a histogram; qdb counts the values in range exactly (a
///   histogram of bucket size one) and applies Qdrant's point formulas to that count;
/// - a token map (text), as `full_text_index/` — `text`, `text_any`, `phrase`;
/// - the null index every field gets (`null_index/`): `is_empty`, `is_null`.
///
/// Built from the payloads of the live points at build time; the counts are not lowered by
/// later deletions (searches skip deleted points, and estimates are estimates).
/// Immutable once built; shared by concurrent searches.
struct PayloadFieldIndex: Sendable {
    enum Kind: String, Sendable { case keyword, integer, float, datetime, uuid, bool, text, geo }

    let kind: Kind
    /// Value → offsets (ascending), for the map kinds. Keys: `.string` (keyword, lowercased
    /// canonical uuid), `.int` (integer), `.bool`.
    private(set) var postings: [JSONValue: [Int32]] = [:]
    /// Points with at least one mapped value, and all (point, value) pairs.
    private(set) var mapPoints = 0
    private(set) var mapValues = 0
    /// Sorted numeric values and their offsets, for the numeric kinds.
    private(set) var numbers: [Double] = []
    private(set) var numberOffsets: [Int32] = []
    private(set) var numericPoints = 0
    private(set) var maxValuesPerPoint = 0
    /// The full-text index (`text`): each token's points, the points with a token, and the
    /// tokenizer of the field's schema.
    private(set) var tokens: [String: [Int32]] = [:]
    private(set) var textPoints = 0
    let tokenizer: TextTokenizer?
    /// The null index: points with a non-empty value, points with a null, all points.
    private(set) var hasValues = 0
    private(set) var nulls = 0
    private(set) var totalPoints = 0
    /// Whether the field takes part in payload links (`enable_hnsw`, default true).
    let enableHNSW: Bool
    let hasMap: Bool
    let hasNumbers: Bool

    /// The index of `path` under `schema` (a type name, or `{"type": …, …}`), over the points of
    /// `payloads` that `live` accepts; nil for a schema qdb does not know.
    init?(schema: JSONValue, path: JSONPath, payloads: [Payload], live: (Int) -> Bool) {
        var params: [String: JSONValue] = [:]
        var type = ""
        switch schema {
        case .string(let t): type = t
        case .object(let o):
            guard case .string(let t)? = o["type"] else { return nil }
            type = t
            params = o
        default: return nil
        }
        guard let kind = Kind(rawValue: type) else { return nil }
        func flag(_ k: String) -> Bool { if case .bool(let b)? = params[k] { return b } else { return true } }
        self.kind = kind
        enableHNSW = flag("enable_hnsw")
        hasMap = [.keyword, .uuid, .bool].contains(kind) || (kind == .integer && flag("lookup"))
        hasNumbers = [.float, .datetime].contains(kind) || (kind == .integer && flag("range"))
        tokenizer = kind == .text ? TextIndexParams.of(schema: schema).map(TextTokenizer.init) : nil
        var pairs: [(Double, Int32)] = []
        totalPoints = payloads.count
        for off in payloads.indices where live(off) {
            let whole = path.values(in: payloads[off], flat: false)
            if !PayloadPredicates.isEmpty(whole) { hasValues += 1 }
            if PayloadPredicates.isNull(whole) { nulls += 1 }
            let values = path.values(in: payloads[off])
            if hasMap {
                let keys = Set(values.compactMap(mapKey))
                if !keys.isEmpty { mapPoints += 1 }
                mapValues += keys.count
                for k in keys { postings[k, default: []].append(Int32(off)) }
            }
            if let tokenizer {
                let doc = Set(values.flatMap { v -> [String] in if case .string(let t) = v { tokenizer.document(t) } else { [] } })
                if !doc.isEmpty { textPoints += 1 }
                for t in doc { tokens[t, default: []].append(Int32(off)) }
            }
            if hasNumbers {
                let xs = values.compactMap(number)
                if !xs.isEmpty { numericPoints += 1 }
                maxValuesPerPoint = Swift.max(maxValuesPerPoint, xs.count)
                for x in xs { pairs.append((x, Int32(off))) }
            }
        }
        pairs.sort { $0.0 < $1.0 }
        numbers = pairs.map(\.0)
        numberOffsets = pairs.map(\.1)
    }

    /// The map key of a payload value for this kind (Qdrant's value indexers).
    func mapKey(_ v: JSONValue) -> JSONValue? {
        switch (kind, v) {
        case (.keyword, .string): return v
        case (.integer, .int): return v
        case (.integer, .uint(let u)) where u <= UInt64(Int64.max): return .int(Int64(u))
        case (.uuid, .string(let s)): return UUID(uuidString: s).map { JSONValue.string($0.uuidString.lowercased()) }
        case (.bool, .bool): return v
        default: return nil
        }
    }

    /// The number a payload value indexes as (RFC 3339 strings as microseconds for
    /// `datetime`). Unlike Qdrant's integer index, which skips floats, an `integer` field lists
    /// its float values too: qdb's filters match them, and a primary clause's points must hold
    /// every point the filter passes.
    func number(_ v: JSONValue) -> Double? {
        switch (kind, v) {
        case (.integer, .int), (.integer, .uint), (.float, .int), (.float, .uint): return v.number
        case (.integer, .double(let d)) where !d.isNaN, (.float, .double(let d)) where !d.isNaN: return d
        case (.datetime, .string(let s)): return QdrantDatetime.microseconds(s).map(Double.init)
        default: return nil
        }
    }

    var uniqueValues: Int { postings.count }

    /// Points with `value` (its map key).
    func count(_ key: JSONValue) -> Int { postings[key]?.count ?? 0 }
}
