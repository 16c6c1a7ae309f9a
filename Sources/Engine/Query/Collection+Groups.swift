import Foundation

/// A group of `points/query/groups` (and the legacy `search/groups`, `recommend/groups`).
public struct PointGroup: Sendable {
    /// The group's value of `group_by`: a string or an integer.
    public var id: JSONValue
    public var hits: [Record]
    public var lookup: Record?
}

/// `with_lookup`: the record whose id is the group id, from another collection.
public struct GroupLookup: Sendable {
    public var collection: String
    public var payload: PayloadSelector
    public var vectors: VectorSelector

    public init(collection: String, payload: PayloadSelector = .all, vectors: VectorSelector = .none) {
        self.collection = collection
        self.payload = payload
        self.vectors = vectors
    }
}

/// One `facet` bucket.
public struct FacetHit: Sendable {
    public var value: JSONValue
    public var count: Int
}

/// `points/search/matrix/*`: the sampled ids (sorted) and each sample's nearest other samples.
public struct DistanceMatrix: Sendable {
    public var ids: [PointID]
    /// `rows[i]`: (index into `ids`, score) of sample i's neighbours, best first.
    public var rows: [[(index: Int, score: Float)]]
}

extension Collection {
    /// Groups by the values at `groupBy` (strings and integers; a point with any other kind of
    /// value there joins no group), in order of each group's best hit; `groupSize` hits each.
    public func queryGroups(
        _ request: QueryRequest, groupBy: JSONPath, groupSize: Int, limit: Int,
        payload: PayloadSelector, vectors: VectorSelector, withLookup: GroupLookup?, lookup: Lookup
    ) throws -> [PointGroup] {
        guard groupSize >= 1, limit >= 1 else {
            throw StorageError(.badInput, "Validation error in JSON body: group_size and limit must be at least 1")
        }
        let all = max(count(filter: nil), 1)
        var q = request.withPrefetchLimits(all)
        q.limit = all
        q.offset = 0
        let hits = try run(q, propagated: nil, lookup: lookup)
        var order: [JSONValue] = []
        var groups: [JSONValue: [Hit]] = [:]
        let full = records(for: hits, payload: .all, vectors: .none)
        for (hit, record) in zip(hits, full) {
            let values = groupBy.values(in: record.payload ?? [:])
            guard !values.isEmpty, values.allSatisfy({ v in
                switch v {
                case .string, .int, .uint: return true
                default: return false
                }
            }) else { continue }
            var seen = Set<JSONValue>()
            for v in values where seen.insert(v).inserted {
                if groups[v] == nil {
                    if order.count >= limit { continue }
                    order.append(v)
                    groups[v] = []
                }
                if groups[v]!.count < groupSize { groups[v]!.append(hit) }
            }
        }
        let other = try withLookup.map { try lookup($0.collection) }
        return order.map { v in
            var lookupRecord: Record?
            if let withLookup, let other, let id = Self.groupPointID(v) {
                lookupRecord = other.retrieve([id], payload: withLookup.payload, vectors: withLookup.vectors).first
            }
            return PointGroup(id: v, hits: records(for: groups[v]!, payload: payload, vectors: vectors), lookup: lookupRecord)
        }
    }

    private static func groupPointID(_ v: JSONValue) -> PointID? {
        switch v {
        case .int(let i) where i >= 0: return .number(UInt64(i))
        case .uint(let u): return .number(u)
        case .string(let s): return PointID(string: s)
        default: return nil
        }
    }

    /// `facet`: how many points (passing `filter`) hold each value at `key`, most first, ties by
    /// value (bools, then integers, then strings).
    public func facet(key: JSONPath, filter: Filter?, limit: Int) throws -> [FacetHit] {
        guard limit >= 1 else { throw StorageError(.badInput, "Validation error in JSON body: limit must be at least 1") }
        let filter = filter?.bound(to: self)
        var counts: [JSONValue: Int] = [:]
        for shard in shards {
            for (_, payload) in shard.matching(filter) {
                var seen = Set<JSONValue>()
                for v in key.values(in: payload) {
                    var v = v
                    switch v {
                    case .bool, .int, .uint: break
                    case .string(let s):
                        if let u = UUID(uuidString: s) { v = .string(u.uuidString.lowercased()) }
                    default: continue
                    }
                    if seen.insert(v).inserted { counts[v, default: 0] += 1 }
                }
            }
        }
        return counts.sorted { a, b in a.value != b.value ? a.value > b.value : Self.facetLess(a.key, b.key) }
            .prefix(limit).map { FacetHit(value: $0.key, count: $0.value) }
    }

    private static func facetLess(_ a: JSONValue, _ b: JSONValue) -> Bool {
        func rank(_ v: JSONValue) -> Int {
            switch v {
            case .bool: return 0
            case .int, .uint: return 1
            default: return 2
            }
        }
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return !x && y
        case (.string(let x), .string(let y)): return x < y
        default: return (a.number ?? 0) < (b.number ?? 0)
        }
    }

    /// `search/matrix`: up to `sample` random points (passing `filter`, having vector `using`),
    /// and for each its `limit` nearest other sampled points.
    public func distanceMatrix(filter: Filter?, sample: Int, limit: Int, using: String) throws -> DistanceMatrix {
        guard sample >= 2 || sample == 0, limit >= 1 else {
            throw StorageError(.badInput, "Validation error in JSON body: sample must be at least 2 and limit at least 1")
        }
        var f = filter ?? Filter()
        f.must.append(.hasVector(using, slot: -1))
        let bound = f.bound(to: self)
        if let m = multiSlot(named: using) { return try multiDistanceMatrix(filter: filter, bound: bound, sample: sample, limit: limit, slot: m) }
        _ = try slot(named: using)
        let sampled = shards.flatMap { $0.matching(bound).map(\.id) }.shuffled().prefix(sample).sorted()
        guard sampled.count >= 2 else { return DistanceMatrix(ids: [], rows: []) }
        let index = Dictionary(uniqueKeysWithValues: sampled.enumerated().map { ($1, $0) })
        let vectors = retrieve(sampled, payload: .none, vectors: .names([using]))
        var rows: [[(index: Int, score: Float)]] = []
        for r in vectors {
            guard let v = r.vectors?[using] else { continue }
            let others = Set(sampled).subtracting([r.id])
            let req = SearchRequest(vector: v, using: using, filter: Filter.including(filter, others), limit: limit)
            rows.append(try search(req).map { (index[$0.id]!, $0.score ?? 0) })
        }
        return DistanceMatrix(ids: sampled, rows: rows)
    }
}
