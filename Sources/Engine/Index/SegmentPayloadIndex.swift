import Foundation

/// The payload indexes of one sealed segment (Qdrant's `StructPayloadIndex` read side,
/// `lib/segment/src/index/struct_payload_index/read_view/`): a `PayloadFieldIndex` per field
/// of the collection's payload schema, and per vector slot the live points having that vector.
/// It estimates a filter's cardinality as Qdrant's `estimate_cardinality` /
/// `condition_cardinality` do, and lists the points of a filter's primary clauses.
///
/// Built in memory from the segment's payloads (Qdrant builds its field indexes at load too
/// when it reads qdb's segments, whose `payload_index/config.json` lists the fields). Immutable
/// once built; shared by concurrent searches.
final class SegmentPayloadIndex: @unchecked Sendable {
    /// By full path (`JSONPath.items`, so `a.b` and `"a".b` are one field).
    let fields: [[JSONPath.Item]: PayloadFieldIndex]
    /// The schema it was built for, and the segment's live points then.
    let schema: [String: JSONValue]
    let builtLive: Int
    /// Per filter slot (dense, then multivector, then sparse slots, as `has_vector` binds them),
    /// the live points having that vector.
    let vectorCounts: [Int]

    /// Indexes `seg`'s live points for the fields of `schema`. Under the shard's read lock
    /// (the segment's columns do not change meanwhile).
    init(segment seg: Segment, schema: [String: JSONValue]) {
        let payloads = seg.payloads.all
        let deleted = seg.deleted
        var fields: [[JSONPath.Item]: PayloadFieldIndex] = [:]
        for (name, s) in schema {
            guard let path = try? JSONPath(name),
                let index = PayloadFieldIndex(schema: s, path: path, payloads: payloads, live: { !deleted[$0] })
            else { continue }
            fields[path.items] = index
        }
        self.fields = fields
        self.schema = schema
        builtLive = seg.liveCount
        let slots = seg.present.count + seg.multi.count + seg.sparse.count
        vectorCounts = (0..<slots).map { slot in
            var n = 0
            for off in 0..<seg.count where !deleted[off] && seg.hasVector(slot: slot, at: off) { n += 1 }
            return n
        }
    }

    /// The estimate of `filter` over `livePoints` points. `resolve` gives the offsets in this
    /// segment of live points among a `has_id` set.
    func estimate(_ filter: Filter, livePoints: Int, resolve: (Set<PointID>) -> [Int]) -> CardinalityEstimation {
        CardinalityEstimator.estimate(filter, total: livePoints) { condition($0, nested: [], total: livePoints, resolve) }
    }

    /// Qdrant's `condition_cardinality`: an indexed field answers by its index, an unindexed one
    /// is unknown; `has_id` and `has_vector` are exact; `nested` estimates its filter with the
    /// inner keys under `<path>[]`.
    private func condition(_ c: Condition, nested: [JSONPath.Item], total: Int, _ resolve: (Set<PointID>) -> [Int]) -> CardinalityEstimation {
        switch c {
        case .field(let f): return field(f, nested) ?? .unknown(total)
        case .isEmpty(let p): return field(FieldCondition(key: p, isEmpty: true), nested) ?? .unknown(total)
        case .isNull(let p): return field(FieldCondition(key: p, isNull: true), nested) ?? .unknown(total)
        case .hasID(let ids):
            let offsets = resolve(ids)
            return CardinalityEstimation.exact(offsets.count).with(.ids(offsets))
        case .hasVector(_, let slot):
            guard slot >= 0, slot < vectorCounts.count else { return .exact(0) }
            return CardinalityEstimation.exact(vectorCounts[slot]).with(.hasVector(slot))
        case .nested(let path, let inner):
            let full = nested + path.items + [.wildcard]
            return CardinalityEstimator.estimate(inner, total: total) { condition($0, nested: full, total: total, resolve) }
        case .filter(let f):
            return CardinalityEstimator.estimate(f, total: total) { condition($0, nested: nested, total: total, resolve) }
        }
    }

    /// `estimate_field_condition`: the condition rewritten with its full path, estimated by that
    /// field's index.
    private func field(_ f: FieldCondition, _ nested: [JSONPath.Item]) -> CardinalityEstimation? {
        var full = f
        if !nested.isEmpty { full.key = JSONPath(items: nested + f.key.items) }
        return fields[full.key.items]?.estimate(full)
    }

    /// The offsets that can pass a filter whose estimate is `e` (the union of its primary
    /// clauses' postings, possibly repeated, deleted ones included); nil when some primary clause
    /// has no postings (or there is none), so every point must be checked.
    func candidates(_ e: CardinalityEstimation) -> [Int32]? {
        guard !e.primary.isEmpty else { return nil }
        var out: [Int32] = []
        for p in e.primary {
            switch p {
            case .field(let c):
                guard let pts = fields[c.key.items]?.points(c) else { return nil }
                out += pts
            case .ids(let offsets): out += offsets.map { Int32($0) }
            case .hasVector, .nullIndex: return nil
            }
        }
        return out
    }
}

extension JSONPath {
    /// The path of `items` (a nested condition's full path), spelled as Qdrant prints it.
    init(items: [Item]) {
        self.items = items
        var text = ""
        for item in items {
            switch item {
            case .key(let k): text += (text.isEmpty ? "" : ".") + k
            case .index(let n): text += "[\(n)]"
            case .wildcard: text += "[]"
            }
        }
        description = text
    }
}
