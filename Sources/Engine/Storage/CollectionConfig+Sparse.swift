extension CollectionConfig {
    /// The collection's sparse vectors by name, sorted (slot order).
    public var sparseByName: [(name: String, params: SparseVectorParams)] {
        let m = params.sparse_vectors ?? [:]
        return m.keys.sorted().map { ($0, m[$0]!) }
    }

    /// Checks `sparse_vectors`: valid spellings, and no name shared with a dense vector.
    func validateSparse() throws {
        let dense = Set(params.vectors.byName.map(\.name))
        for (name, p) in sparseByName {
            try p.validate(name: name)
            guard !dense.contains(name) else {
                throw StorageError(.badInput, "Wrong input: vector name \"\(name)\" is used by both a dense and a sparse vector")
            }
        }
    }
}
