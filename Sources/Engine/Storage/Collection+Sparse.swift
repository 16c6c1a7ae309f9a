/// Sparse vectors of a collection: slots, validation of upserts, records, search.
extension Collection {
    /// The collection's sparse vectors by slot, sorted by name.
    var sparseSlots: [(name: String, params: SparseVectorParams)] { config.sparseByName }

    /// Names `has_vector` resolves against: dense slots, multivector slots, then sparse slots
    /// (`Segment.hasVector`).
    var filterVectorNames: [String] { slots.map(\.name) + multiSlots.map(\.name) + sparseSlots.map(\.name) }

    func sparseSlot(named name: String) -> Int? { sparseSlots.firstIndex { $0.name == name } }

    /// Throws when a dense vector is given for a sparse vector's name (Qdrant's message).
    func refuseSparseName(_ name: String) throws {
        if sparseSlot(named: name) != nil {
            throw StorageError(.badInput, "Wrong input: Conversion between sparse and regular vectors failed for vector: \(name)")
        }
    }

    /// The point's sparse vectors by slot, validated as Qdrant validates them and sorted by index.
    func sparseSlots(of p: PointInput) throws -> [SparseVector?] {
        let slots = sparseSlots
        for name in p.sparse.keys where !slots.contains(where: { $0.name == name }) {
            if self.slots.contains(where: { $0.name == name }) {
                throw StorageError(.badInput, "Wrong input: Conversion between sparse and regular vectors failed for vector: \(name)")
            }
            _ = try slot(named: name)
        }
        return try slots.map { name, _ in
            guard let v = p.sparse[name] else { return nil }
            try v.validate(at: "vector.\(name)")
            return v.sorted()
        }
    }

    /// The sparse vectors of a point view that `vectors` selects, by name.
    func sparseRecord(_ v: PointView, vectors: VectorSelector) -> [String: SparseVector] {
        var out: [String: SparseVector] = [:]
        for (slot, (name, _)) in sparseSlots.enumerated() {
            if case .names(let wanted) = vectors, !wanted.contains(name) { continue }
            if slot < v.sparse.count, let vec = v.sparse[slot] { out[name] = vec }
        }
        return out
    }

    /// Exact sparse search: dot product over shared dimensions, the query weighted by IDF when
    /// the vector's modifier is `idf` (document frequencies over the live points of the whole
    /// collection that have this vector, as Qdrant's local mode counts them). Points sharing no
    /// dimension with the query are not results.
    /// - Returns: hits by descending score, ties by id.
    func searchSparse(
        _ query: SparseVector, slot: Int, filter: Filter?, limit: Int, offset: Int, threshold: Float?
    ) throws -> [(score: Float, point: PointView)] {
        try query.validate(at: "query")
        var q = query.sorted()
        if sparseSlots[slot].params.usesIDF {
            var n = 0
            var df = [Int](repeating: 0, count: q.indices.count)
            for shard in shards {
                let (sn, sdf) = shard.sparseStatistics(slot: slot, dimensions: q.indices)
                n += sn
                for i in df.indices { df[i] += sdf[i] }
            }
            for i in q.values.indices { q.values[i] *= InverseDocumentFrequency.idf(documentFrequency: df[i], documents: n) }
        }
        let k = limit.saturatingAdd(offset)
        var hits = shards.flatMap { $0.searchSparse(q, slot: slot, filter: filter, k: k) }
        hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.point.id < $1.point.id }
        if let t = threshold { hits.removeAll { $0.score < t } }
        return Array(hits.dropFirst(offset).prefix(limit))
    }
}
