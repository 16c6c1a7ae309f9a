extension Collection {
    /// A query on a sparse vector (`using` names one): `nearest` by a sparse vector or by the
    /// sparse vector of a point id. nil when `using` is not a sparse vector's name.
    /// - Throws: `StorageError(.badInput)` for a dense vector or a query kind qdb does not run on
    ///   sparse vectors; `.notFound` for a missing point.
    func resolveSparse(_ kind: QueryKind, _ q: QueryRequest, source: Collection, mentioned: inout Set<PointID>) throws -> Resolved? {
        guard let slot = sparseSlot(named: q.using) else {
            return nil
        }
        switch kind {
        case .nearest(let input, nil):
            switch input {
            case .sparse(let v): return .nearestSparse(v, slot: slot)
            case .vector, .multi:
                throw StorageError(.badInput, "Wrong input: Conversion between sparse and regular vectors failed for vector: \(q.using)")
            case .id(let id):
                let name = q.lookupFrom?.vector ?? q.using
                guard let r = source.retrieve([id], payload: .none, vectors: .names([name])).first else {
                    throw StorageError(.notFound, "No point with id \(id) found")
                }
                guard let v = r.sparseVectors?[name] else {
                    throw StorageError(.badInput, "Wrong input: Vector with name \(name) for point \(id) not found")
                }
                if source === self { mentioned.insert(id) }
                return .nearestSparse(v, slot: slot)
            }
        case .orderBy, .fusion, .formula, .sample:
            return nil
        default:
            throw StorageError(.badInput, "Wrong input: qdb runs only nearest queries (no mmr) on sparse vectors yet")
        }
    }
}
