import Foundation

/// The Universal Query planner: a request tree runs bottom-up (prefetches first, their results
/// the candidates of the level above), with Qdrant's semantics as its official client's local
/// mode writes them down: a level's filter propagates into its prefetches; point ids given as
/// vectors are looked up (in `lookup_from` when given) and, when they are this collection's, left
/// out of the results; fusion and formula rescore prefetch results; any other query rescores the
/// union of its prefetches' points.
extension Collection {
    /// Looks up another collection by name (`lookup_from`, `with_lookup`).
    public typealias Lookup = (String) throws -> Collection

    /// Runs `request` and reads the resulting points.
    /// - Throws: `StorageError(.badInput)` for an invalid query, `.notFound` for a missing id.
    public func query(
        _ request: QueryRequest, payload: PayloadSelector, vectors: VectorSelector, lookup: Lookup
    ) throws -> [Record] {
        try records(for: run(request, propagated: nil, lookup: lookup), payload: payload, vectors: vectors)
    }

    /// Records for `hits`, in order (an id may repeat: `order_by` on multi-valued keys).
    func records(for hits: [Hit], payload: PayloadSelector, vectors: VectorSelector) -> [Record] {
        var byID: [PointID: Record] = [:]
        for r in retrieve(hits.map(\.id), payload: payload, vectors: vectors) { byID[r.id] = r }
        return hits.compactMap { h in
            guard var r = byID[h.id] else { return nil }
            r.score = h.score
            r.orderValue = h.orderValue
            return r
        }
    }

    /// A query kind with its vectors resolved.
    enum Resolved {
        case scroll
        case nearest([Float], mmr: MMR?)
        case nearestSparse(SparseVector, slot: Int)
        case nearestMulti([[Float]], slot: Int)
        case multiExamples(MultiExampleScorer, slot: Int)
        case nearestMultiMMR([[Float]], MMR, slot: Int)
        case examples(ExampleScorer.Kind)
        case orderBy(OrderBy)
        case fusion(Fusion)
        case formula(Formula)
        case sample
    }

    func run(_ q: QueryRequest, propagated: Filter?, lookup: Lookup) throws -> [Hit] {
        try q.validate()
        let (resolved, mentioned) = try resolve(q, lookup: lookup)
        let filter = Filter.excluding(Filter.merge(propagated, q.filter), mentioned)?.bound(to: self)
        let limit = q.limit ?? 10
        guard limit >= 0, q.offset >= 0 else { throw StorageError(.badInput, "Wrong input: limit and offset must not be negative") }
        guard !q.prefetch.isEmpty else {
            return try base(resolved, using: q.using, filter: filter, limit: limit, offset: q.offset, threshold: q.scoreThreshold, params: q.params)
        }
        let sources = try q.prefetch.map { try run($0, propagated: filter, lookup: lookup) }
        switch resolved {
        case .fusion(let f):
            var fused = try QueryFusion.fuse(f, sources, limit: limit.saturatingAdd(q.offset))
            if let t = q.scoreThreshold { fused.removeAll { $0.score < t } }
            return Array(fused.dropFirst(q.offset))
        case .formula(let f):
            var scored = try rescore(f, sources, limit: limit.saturatingAdd(q.offset))
            if let t = q.scoreThreshold { scored.removeAll { $0.score < t } }
            return Array(scored.dropFirst(q.offset))
        default:
            let ids = Set(sources.flatMap { $0.map(\.id) })
            if ids.isEmpty { return [] }
            return try base(
                resolved, using: q.using, filter: Filter.including(filter, ids), limit: limit, offset: q.offset,
                threshold: q.scoreThreshold, params: q.params)
        }
    }

    /// A level without prefetches.
    func base(
        _ r: Resolved, using: String, filter: Filter?, limit: Int, offset: Int, threshold: Float?, params: SearchParams = SearchParams()
    ) throws -> [Hit] {
        switch r {
        case .scroll:
            let (records, _) = scroll(filter: filter, offset: nil, limit: limit.saturatingAdd(offset), payload: .none, vectors: .none)
            return records.dropFirst(offset).map { Hit(id: $0.id, score: 1) }
        case .nearest(let v, nil):
            var req = SearchRequest(vector: v, using: using, filter: filter, limit: limit, offset: offset, scoreThreshold: threshold)
            req.params = params
            return try search(req).map { Hit(id: $0.id, score: $0.score ?? 0) }
        case .nearestSparse(let v, let slot):
            return try searchSparse(v, slot: slot, filter: filter, limit: limit, offset: offset, threshold: threshold).map {
                Hit(id: $0.point.id, score: $0.score)
            }
        case .nearestMulti(let v, let slot):
            return try searchMulti(v, slot: slot, filter: filter, limit: limit, offset: offset, threshold: threshold).map {
                Hit(id: $0.point.id, score: $0.score)
            }
        case .nearestMultiMMR(let v, let mmr, let slot):
            return try multiMaximalMarginalRelevance(v, mmr, slot: slot, filter: filter, limit: limit, offset: offset, threshold: threshold)
        case .multiExamples(let scorer, let slot):
            return scanMulti(scorer, slot: slot, filter: filter, limit: limit, offset: offset, threshold: threshold)
        case .nearest(let v, let mmr?):
            return try maximalMarginalRelevance(v, mmr, using: using, filter: filter, limit: limit, offset: offset, threshold: threshold)
        case .examples(let kind):
            let slot = try slot(named: using)
            let scorer = ExampleScorer(kind, distance: slots[slot].params.distance, params: slots[slot].params)
            var hits = shards.flatMap { $0.scan(slot: slot, filter: filter, k: limit.saturatingAdd(offset), scorer: scorer) }
            hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
            if let t = threshold { hits.removeAll { $0.score < t } }
            return hits.dropFirst(offset).prefix(limit).map { Hit(id: $0.id, score: $0.score) }
        case .orderBy(let o):
            return Array(ordered(by: o, filter: filter, limit: limit.saturatingAdd(offset)).dropFirst(offset))
        case .sample:
            let ids = shards.flatMap { $0.matching(filter).map(\.id) }.shuffled()
            return ids.prefix(limit).map { Hit(id: $0, score: 1) }
        case .fusion:
            throw StorageError(.badInput, "Wrong input: a fusion query needs prefetch")
        case .formula:
            throw StorageError(.badInput, "Wrong input: a formula query needs prefetch")
        }
    }

    // MARK: resolving vectors given by id

    /// The query with point ids replaced by their vectors, and the ids to leave out of results.
    func resolve(_ q: QueryRequest, lookup: Lookup) throws -> (Resolved, Set<PointID>) {
        guard let kind = q.query else { return (.scroll, []) }
        let source = try q.lookupFrom.map { try lookup($0.collection) } ?? self
        let sameCollection = source === self
        let name = q.lookupFrom?.vector ?? q.using
        let dim = { [self] in slots[try slot(named: q.using)].params.size }
        var mentioned = Set<PointID>()
        if let sparse = try resolveSparse(kind, q, source: source, mentioned: &mentioned) { return (sparse, mentioned) }
        if let multi = try resolveMulti(kind, q, source: source, mentioned: &mentioned) { return (multi, mentioned) }
        func vector(_ input: VectorInput) throws -> [Float] {
            switch input {
            case .sparse:
                throw StorageError(.badInput, "Wrong input: a sparse vector was given for the dense vector \(q.using.isEmpty ? "(unnamed)" : q.using)")
            case .multi:
                throw Collection.wrongMulti(q.using)
            case .vector(let v):
                let d = try dim()
                guard v.count == d else {
                    throw StorageError(.badInput, "Wrong input: Vector dimension error: expected dim: \(d), got \(v.count)")
                }
                guard v.allSatisfy(\.isFinite) else { throw StorageError(.badInput, "Wrong input: a query vector has a NaN or infinite value") }
                return v
            case .id(let id):
                guard let r = source.retrieve([id], payload: .none, vectors: .names([name])).first else {
                    throw StorageError(.notFound, "No point with id \(id) found")
                }
                guard let v = r.vectors?[name] else {
                    throw StorageError(.badInput, "Wrong input: Vector with name \(name.isEmpty ? "(unnamed)" : name) for point \(id) not found")
                }
                if sameCollection { mentioned.insert(id) }
                let d = try dim()
                guard v.count == d else {
                    throw StorageError(.badInput, "Wrong input: Vector dimension error: expected dim: \(d), got \(v.count)")
                }
                return v
            }
        }
        switch kind {
        case .nearest(let v, let mmr):
            if let mmr, !(0...1).contains(mmr.diversity) {
                throw StorageError(.badInput, "Wrong input: mmr diversity must be between 0.0 and 1.0")
            }
            return (.nearest(try vector(v), mmr: mmr), mentioned)
        case .recommend(let pos, let neg, let strategy):
            let p = try pos.map(vector), n = try neg.map(vector)
            switch strategy {
            case .averageVector:
                guard !p.isEmpty else { throw StorageError(.badInput, "Wrong input: Positive list is empty") }
                let mp = mean(p)
                let v = n.isEmpty ? mp : zip(mp, mean(n)).map { a, b in a + a - b }
                return (.nearest(v, mmr: nil), mentioned)
            case .bestScore, .sumScores:
                guard !p.isEmpty || !n.isEmpty else { throw StorageError(.badInput, "Wrong input: No positive or negative examples given") }
                return (.examples(strategy == .bestScore ? .bestScore(positive: p, negative: n) : .sumScores(positive: p, negative: n)), mentioned)
            }
        case .discover(let target, let context):
            let t = try vector(target)
            let pairs = try context.map { (try vector($0.positive), try vector($0.negative)) }
            return (.examples(.discover(target: t, pairs: pairs)), mentioned)
        case .context(let context):
            guard !context.isEmpty else { throw StorageError(.badInput, "Wrong input: No target or context given") }
            let pairs = try context.map { (try vector($0.positive), try vector($0.negative)) }
            return (.examples(.context(pairs: pairs)), mentioned)
        case .relevanceFeedback(let target, let feedback, let a, let b, let c):
            let t = try vector(target)
            let items = try feedback.map { (try vector($0.example), $0.score) }
            var pairs: [(better: [Float], worse: [Float], weight: Float)] = []
            for (i, x) in items.enumerated() {
                for (j, y) in items.enumerated() where i != j && x.1 - y.1 > 0 {
                    pairs.append((x.0, y.0, Float(Foundation.pow(x.1 - y.1, b) * c)))
                }
            }
            return (.examples(.naiveFeedback(target: t, a: Float(a), pairs: pairs)), mentioned)
        case .orderBy(let o): return (.orderBy(o), [])
        case .fusion(let f): return (.fusion(f), [])
        case .formula(let f): return (.formula(f), [])
        case .sample: return (.sample, [])
        }
    }

    private func mean(_ vs: [[Float]]) -> [Float] {
        var out = [Float](repeating: 0, count: vs[0].count)
        for v in vs { for i in out.indices { out[i] += v[i] } }
        let n = Float(vs.count)
        return out.map { $0 / n }
    }
}
