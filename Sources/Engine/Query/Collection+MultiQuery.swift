extension Collection {
    /// A query on a multivector (`using` names one): `nearest` by a multivector, by a plain
    /// dense vector (one inner vector, as Qdrant expands it), or by the multivector of a point
    /// id. nil when `using` is not a multivector's name.
    /// - Throws: `StorageError(.badInput)` for a sparse vector or a query kind qdb does not run
    ///   on multivectors; `.notFound` for a missing point.
    func resolveMulti(_ kind: QueryKind, _ q: QueryRequest, source: Collection, mentioned: inout Set<PointID>) throws -> Resolved? {
        guard let slot = multiSlot(named: q.using) else { return nil }
        switch kind {
        case .nearest(let input, nil):
            return .nearestMulti(try multiInput(input, q, source: source, mentioned: &mentioned), slot: slot)
        case .orderBy, .fusion, .formula, .sample:
            return nil
        default:
            throw StorageError(.badInput, "Wrong input: qdb runs only nearest queries (no mmr) on multivectors yet")
        }
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
}
