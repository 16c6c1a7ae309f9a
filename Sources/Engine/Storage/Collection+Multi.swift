/// Multivectors of a collection: slots, validation of upserts, records, MaxSim search.
extension Collection {
    /// The collection's multivectors by slot, sorted by name (`""` when the unnamed vector is one).
    var multiSlots: [(name: String, params: VectorParams)] { config.params.vectors.multiByName }

    func multiSlot(named name: String) -> Int? { multiSlots.firstIndex { $0.name == name } }

    /// The point's multivectors by slot, validated as Qdrant validates them (every inner vector
    /// of the vector's size, none empty) and preprocessed for the distance. A plain dense vector
    /// given for a multivector is one inner vector, as Qdrant expands it
    /// (`TryFrom<VectorInternal> for MultiDenseVectorInternal`).
    func multiSlots(of p: PointInput) throws -> [[[Float]]?] {
        let slots = multiSlots
        for name in p.multi.keys.sorted() where multiSlot(named: name) == nil {
            if self.slots.contains(where: { $0.name == name }) { throw Collection.wrongMulti(name) }
            try refuseSparseName(name)
            _ = try slot(named: name)
        }
        return try slots.map { name, params in
            guard let m = p.multi[name] ?? p.vectors[name].map({ [$0] }) else { return nil }
            return try MultiVector.validated(m, dim: params.size, distance: params.distance, datatype: params.storedDatatype, name: name)
        }
    }

    static func wrongMulti(_ name: String) -> StorageError {
        StorageError(.badInput, "Wrong input: Conversion between multi and regular vectors failed for vector: \(MultiVector.label(name))")
    }

    /// The multivectors of a point view that `vectors` selects, by name.
    func multiRecord(_ v: PointView, vectors: VectorSelector) -> [String: [[Float]]] {
        var out: [String: [[Float]]] = [:]
        for (slot, (name, _)) in multiSlots.enumerated() {
            if case .names(let wanted) = vectors, !wanted.contains(name) { continue }
            if slot < v.multi.count, let m = v.multi[slot] { out[name] = m }
        }
        return out
    }

    /// Exact MaxSim search over multivector slot `slot`: every query vector preprocessed as
    /// Qdrant's `MultiMetricQueryScorer` does (Cosine normalizes each), ranked by the internal
    /// MaxSim, returned with Qdrant's postprocessed score.
    /// - Returns: hits by descending MaxSim, ties by id.
    func searchMulti(
        _ query: [[Float]], slot: Int, filter: Filter?, limit: Int, offset: Int, threshold: Float?
    ) throws -> [(score: Float, point: PointView)] {
        let (name, params) = multiSlots[slot]
        let q = try MultiVector.validated(query, dim: params.size, distance: params.distance, datatype: params.storedDatatype, name: name)
        let k = limit.saturatingAdd(offset)
        var hits = shards.flatMap { $0.searchMulti(q, slot: slot, distance: params.distance, raw: params.rawCosine, filter: filter, k: k) }
        hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.point.id < $1.point.id }
        var out = hits.map { (score: MultiVector.postprocess($0.score, distance: params.distance), point: $0.point) }
        if let t = threshold {
            out.removeAll { params.distance.higherIsBetter ? $0.score < t : $0.score > t }
        }
        return Array(out.dropFirst(offset).prefix(limit))
    }
}
