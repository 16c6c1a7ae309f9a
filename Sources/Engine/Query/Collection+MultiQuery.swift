extension Collection {
    /// A query on a multivector (`using` names one): `nearest` by a multivector, by a plain
    /// dense vector (one inner vector, as Qdrant expands it), or by the multivector of a point
    /// id. nil when `using` is not a multivector's name.
    /// - Throws: `StorageError(.badInput)` for a sparse vector or a query kind qdb does not run
    ///   on multivectors; `.notFound` for a missing point.
    func resolveMulti(_ kind: QueryKind, _ q: QueryRequest, source: Collection, mentioned: inout Set<PointID>) throws -> Resolved? {
        guard let slot = multiSlot(named: q.using) else { return nil }
        let distance = multiSlots[slot].params.distance
        func multi(_ input: VectorInput) throws -> [[Float]] {
            let (name, params) = multiSlots[slot]
            let m = try multiInput(input, q, source: source, mentioned: &mentioned)
            return try MultiVector.validated(m, dim: params.size, distance: distance, datatype: params.storedDatatype, name: name)
        }
        let rawCosine = multiSlots[slot].params.rawCosine
        func examples(_ k: MultiExampleScorer.Kind) -> Resolved {
            .multiExamples(MultiExampleScorer(kind: k, distance: distance, rawCosine: rawCosine), slot: slot)
        }
        switch kind {
        case .nearest(let input, nil):
            return .nearestMulti(try multi(input), slot: slot)
        case .recommend(let pos, let neg, let strategy):
            let p = try pos.map(multi), n = try neg.map(multi)
            switch strategy {
            case .averageVector:
                // The local mode's average of multivectors: every positive inner vector, and
                // every negative one negated, as one query multivector.
                guard !p.isEmpty else { throw StorageError(.badInput, "Wrong input: Positive list is empty") }
                return .nearestMulti(p.flatMap { $0 } + n.flatMap { $0.map { $0.map { -$0 } } }, slot: slot)
            case .bestScore, .sumScores:
                guard !p.isEmpty || !n.isEmpty else { throw StorageError(.badInput, "Wrong input: No positive or negative examples given") }
                return examples(strategy == .bestScore ? .bestScore(positive: p, negative: n) : .sumScores(positive: p, negative: n))
            }
        case .discover(let target, let context):
            let t = try multi(target)
            return examples(.discover(target: t, pairs: try context.map { (try multi($0.positive), try multi($0.negative)) }))
        case .context(let context):
            guard !context.isEmpty else { throw StorageError(.badInput, "Wrong input: No target or context given") }
            return examples(.context(pairs: try context.map { (try multi($0.positive), try multi($0.negative)) }))
        case .orderBy, .fusion, .formula, .sample:
            return nil
        case .nearest(let input, let mmr?):
            guard (0...1).contains(mmr.diversity) else { throw StorageError(.badInput, "Wrong input: mmr diversity must be between 0.0 and 1.0") }
            return .nearestMultiMMR(try multi(input), mmr, slot: slot)
        case .relevanceFeedback:
            throw StorageError(.badInput, "Wrong input: qdb does not run relevance feedback on multivectors yet")
        }
    }

    /// A level scored by a multivector example query.
    func scanMulti(_ scorer: MultiExampleScorer, slot: Int, filter: Filter?, limit: Int, offset: Int, threshold: Float?) -> [Hit] {
        var hits = shards.flatMap { $0.scanMulti(slot: slot, filter: filter, k: limit.saturatingAdd(offset), scorer: scorer) }
        hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        if let t = threshold { hits.removeAll { $0.score < t } }
        return hits.dropFirst(offset).prefix(limit).map { Hit(id: $0.id, score: $0.score) }
    }

    /// The inner vectors an input stands for.
    private func multiInput(_ input: VectorInput, _ q: QueryRequest, source: Collection, mentioned: inout Set<PointID>) throws -> [[Float]] {
        switch input {
        case .multi(let m): return m
        case .vector(let v): return [v]
        case .sparse:
            throw StorageError(.badInput, "Wrong input: Conversion between sparse and regular vectors failed for vector: \(MultiVector.label(q.using))")
        case .id(let id):
            let name = q.lookupFrom?.vector ?? q.using
            guard let r = source.retrieve([id], payload: .none, vectors: .names([name])).first else {
                throw StorageError(.notFound, "No point with id \(id) found")
            }
            guard let m = r.multiVectors?[name] ?? r.vectors?[name].map({ [$0] }) else {
                throw StorageError(.badInput, "Wrong input: Vector with name \(MultiVector.label(name)) for point \(id) not found")
            }
            if source === self { mentioned.insert(id) }
            return m
        }
    }

    /// `search/matrix` on a multivector: each sampled point's `limit` nearest other samples by
    /// MaxSim (`bound`: the request's filter with `has_vector`, bound to this collection).
    func multiDistanceMatrix(filter: Filter?, bound: Filter, sample: Int, limit: Int, slot: Int) throws -> DistanceMatrix {
        let using = multiSlots[slot].name
        let sampled = shards.flatMap { $0.matching(bound).map(\.id) }.shuffled().prefix(sample).sorted()
        guard sampled.count >= 2 else { return DistanceMatrix(ids: [], rows: []) }
        let index = Dictionary(uniqueKeysWithValues: sampled.enumerated().map { ($1, $0) })
        var rows: [[(index: Int, score: Float)]] = []
        for r in retrieve(sampled, payload: .none, vectors: .names([using])) {
            guard let m = r.multiVectors?[using] else { continue }
            let others = Filter.including(filter, Set(sampled).subtracting([r.id])).bound(to: self)
            rows.append(try searchMulti(m, slot: slot, filter: others, limit: limit, offset: 0, threshold: nil).map { (index[$0.point.id]!, $0.score) })
        }
        return DistanceMatrix(ids: sampled, rows: rows)
    }

    /// `nearest` with `mmr` on a multivector: the nearest `candidates_limit` points by MaxSim,
    /// re-ranked by maximal marginal relevance over raw MaxSim similarities (the local mode's
    /// `_mmr`, `calculate_multi_distance_core`); each keeps its nearest score.
    func multiMaximalMarginalRelevance(
        _ q: [[Float]], _ mmr: MMR, slot: Int, filter: Filter?, limit: Int, offset: Int, threshold: Float?
    ) throws -> [Hit] {
        let (name, params) = multiSlots[slot]
        let found = try searchMulti(q, slot: slot, filter: filter, limit: mmr.candidatesLimit ?? limit, offset: 0, threshold: threshold)
        guard !found.isEmpty else { return [] }
        let byID = Dictionary(retrieve(found.map(\.point.id), payload: .none, vectors: .names([name])).map { ($0.id, $0.multiVectors?[name] ?? []) },
                              uniquingKeysWith: { a, _ in a })
        let vecs = found.map { byID[$0.point.id] ?? [] }
        let query = try MultiVector.validated(q, dim: params.size, distance: params.distance, datatype: params.storedDatatype, name: name)
        let raw = { (a: [[Float]], b: [[Float]]) in MultiVector.maxSim(a, b, distance: params.distance, raw: params.rawCosine) }
        let order = Self.mmrOrder(relevance: vecs.map { raw(query, $0) }, lambda: Float(1 - mmr.diversity),
                                  take: limit.saturatingAdd(offset)) { raw(vecs[$0], vecs[$1]) }
        return order.dropFirst(offset).map { Hit(id: found[$0].point.id, score: found[$0].score) }
    }
}
