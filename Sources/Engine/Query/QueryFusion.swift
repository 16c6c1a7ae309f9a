/// Fusion of prefetch results, as Qdrant's `rrf` and `dbsf`. Ties keep the order in which points
/// first appear across the sources (the sources in request order, each best first).
enum QueryFusion {
    static func fuse(_ f: Fusion, _ sources: [[Hit]], limit: Int) throws -> [Hit] {
        var order: [PointID] = []
        var scores: [PointID: Double] = [:]
        func add(_ id: PointID, _ s: Double) {
            if let old = scores[id] { scores[id] = old + s } else {
                scores[id] = s
                order.append(id)
            }
        }
        switch f {
        case .rrf(let k, let weights):
            if let weights, weights.count != sources.count {
                throw StorageError(.badInput, "Wrong input: rrf weights must have one entry per prefetch (\(sources.count)), got \(weights.count)")
            }
            for (i, source) in sources.enumerated() {
                let w = weights?[i] ?? 1
                for (rank, hit) in source.enumerated() {
                    add(hit.id, w <= 0 ? 0 : 1 / ((Double(rank) + 1) / w + Double(k) - 1))
                }
            }
        case .dbsf:
            for source in sources where !source.isEmpty {
                for (id, s) in normalized(source) { add(id, s) }
            }
        }
        let ranked = order.enumerated().sorted { a, b in
            let sa = scores[a.element]!, sb = scores[b.element]!
            return sa != sb ? sa > sb : a.offset < b.offset
        }
        return ranked.prefix(limit).map { Hit(id: $0.element, score: Float(scores[$0.element]!)) }
    }

    /// DBSF's normalization: (s − (μ − 3σ)) / 6σ with the sample deviation; 0.5 for one point or σ = 0.
    private static func normalized(_ hits: [Hit]) -> [(PointID, Double)] {
        if hits.count == 1 { return [(hits[0].id, 0.5)] }
        let xs = hits.map { Double($0.score) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
        if variance == 0 { return hits.map { ($0.id, 0.5) } }
        let sd = variance.squareRoot()
        let low = mean - 3 * sd, high = mean + 3 * sd
        return zip(hits, xs).map { ($0.id, ($1 - low) / (high - low)) }
    }
}

extension Collection {
    /// A formula query: every point of the prefetches, scored by the formula, best first.
    func rescore(_ f: Formula, _ sources: [[Hit]], limit: Int) throws -> [Hit] {
        let scores = sources.map { s in Dictionary(s.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a }) }
        var seen = Set<PointID>()
        let ids = sources.flatMap { $0.map(\.id) }.filter { seen.insert($0).inserted }
        let names = slots.map(\.name)
        var out: [(Int, Hit)] = []
        for (i, r) in retrieve(ids, payload: .all, vectors: .all).enumerated() {
            let value: Double
            do {
                value = try f.evaluate(id: r.id, payload: r.payload ?? [:], scores: scores) { slot in
                    slot < names.count && r.vectors?[names[slot]] != nil
                }
            } catch let e as FormulaError {
                throw StorageError(.badInput, "Wrong input: \(e.message)")
            }
            let score = Float(value)
            guard score.isFinite else {
                throw StorageError(.badInput, "Wrong input: The expression \(value) as f32 = \(score) produced a non-finite number")
            }
            out.append((i, Hit(id: r.id, score: score)))
        }
        out.sort { $0.1.score != $1.1.score ? $0.1.score > $1.1.score : $0.0 < $1.0 }
        return out.prefix(limit).map(\.1)
    }

    /// `nearest` with `mmr`: the nearest `candidates_limit` points re-ranked by maximal marginal
    /// relevance (λ = 1 − diversity) over raw similarities; each keeps its nearest score.
    func maximalMarginalRelevance(
        _ v: [Float], _ mmr: MMR, using: String, filter: Filter?, limit: Int, offset: Int, threshold: Float?
    ) throws -> [Hit] {
        let slot = try slot(named: using)
        let distance = slots[slot].params.distance
        let req = SearchRequest(
            vector: v, using: using, filter: filter, limit: mmr.candidatesLimit ?? limit, offset: 0, scoreThreshold: threshold,
            vectors: .names([using]))
        let found = try search(req)
        guard !found.isEmpty else { return [] }
        let vecs = found.map { $0.vectors?[using] ?? [] }
        let scorer = ExampleScorer(.sumScores(positive: [], negative: []), distance: distance, params: slots[slot].params)
        let q = slots[slot].params.prepare(v)
        let dim = slots[slot].params.size
        func raw(_ a: [Float], _ b: [Float]) -> Float {
            guard b.count == dim else { return -.infinity }
            return b.withUnsafeBufferPointer { scorer.raw(a, $0.baseAddress!, dim) }
        }
        let relevance = vecs.map { raw(q, $0) }
        let order = Self.mmrOrder(relevance: relevance, lambda: Float(1 - mmr.diversity), take: limit.saturatingAdd(offset)) {
            raw(vecs[$0], vecs[$1])
        }
        return order.dropFirst(offset).map { Hit(id: found[$0].id, score: found[$0].score ?? 0) }
    }

    /// Maximal marginal relevance over `relevance.count` candidates, as Qdrant's core selects
    /// them: the most relevant first, then by λ·relevance − (1 − λ)·(largest `similarity` of the
    /// candidate to those selected), pending candidates kept with `swap_remove` and ties going
    /// to the last maximum (Rust's `max_by_key`). `similarity(p, s)`: candidate p's raw
    /// similarity to selected s.
    /// - Returns: up to `take` candidate indices in selection order.
    static func mmrOrder(relevance: [Float], lambda: Float, take: Int, similarity: (Int, Int) -> Float) -> [Int] {
        let n = relevance.count
        /// The last index of the maximum (Rust's `max_by_key`).
        func lastArgmax(_ xs: [Float]) -> Int {
            var best = 0
            for i in xs.indices where xs[i] >= xs[best] { best = i }
            return best
        }
        func swapRemove(_ a: inout [Int], _ i: Int) -> Int {
            let x = a[i]
            a[i] = a[a.count - 1]
            a.removeLast()
            return x
        }
        // The largest similarity of each candidate to the selected ones, updated as points are
        // selected (memory O(n), not an n × n matrix: candidates_limit reaches 16384).
        var maxSim = [Float](repeating: -.infinity, count: n)
        var pending = Array(0..<n)
        var selected: [Int] = []
        func select(_ position: Int) {
            let s = swapRemove(&pending, position)
            selected.append(s)
            for p in pending { maxSim[p] = Swift.max(maxSim[p], similarity(p, s)) }
        }
        select(lastArgmax(pending.map { relevance[$0] }))
        while selected.count < take, !pending.isEmpty {
            let scores = pending.map { p in lambda * relevance[p] - (1 - lambda) * maxSim[p] }
            if scores.allSatisfy({ $0 == -.infinity }) { break }
            select(lastArgmax(scores))
        }
        return selected
    }

    /// `order_by`: one entry per (point, numeric or datetime value at `key`), ordered by value
    /// (ties by id), from `start_from`, at most `limit`.
    func ordered(by o: OrderBy, filter: Filter?, limit: Int) -> [Hit] {
        var entries: [(value: Double, id: PointID, out: JSONValue)] = []
        for shard in shards {
            for (id, payload) in shard.matching(filter) {
                for v in o.key.values(in: payload) {
                    guard let (x, out) = Self.orderValue(v) else { continue }
                    if let s = o.startFrom, o.descending ? x > s : x < s { continue }
                    entries.append((x, id, out))
                }
            }
        }
        entries.sort { a, b in
            if a.value != b.value { return o.descending ? a.value > b.value : a.value < b.value }
            return a.id < b.id
        }
        var seen = Set<String>()
        var out: [Hit] = []
        for e in entries where out.count < limit {
            guard seen.insert("\(e.value)|\(e.id)").inserted else { continue }
            out.append(Hit(id: e.id, score: 1, orderValue: e.out))
        }
        return out
    }

    /// `scroll` with `order_by`: points by payload value (a point once per distinct value).
    public func scroll(
        orderBy o: OrderBy, filter: Filter?, limit: Int, payload: PayloadSelector, vectors: VectorSelector
    ) throws -> [Record] {
        let filter = filter?.bound(to: self)
        return records(for: ordered(by: o, filter: filter, limit: limit), payload: payload, vectors: vectors)
    }

    /// A payload value as an order value: numbers as they are, datetime strings as microseconds.
    static func orderValue(_ v: JSONValue) -> (Double, JSONValue)? {
        switch v {
        case .int, .uint, .double: return (v.number!, v)
        case .string(let s):
            guard let us = QdrantDatetime.microseconds(s) else { return nil }
            return (Double(us), .int(us))
        default: return nil
        }
    }
}
