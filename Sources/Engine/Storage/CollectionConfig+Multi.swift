/// Multivectors in a collection config: dense vectors with `multivector_config`. They keep
/// Qdrant's place in `vectors` (config.json and collection info show them there), but a
/// collection holds them apart from its fixed-size dense vectors (`Collection+Multi`).
extension VectorsConfig {
    /// The dense vectors without `multivector_config`, by name (the collection's dense slots).
    public var denseByName: [(name: String, params: VectorParams)] {
        byName.filter { $0.params.multivector_config == nil }
    }

    /// The vectors with `multivector_config`, by name (the collection's multivector slots).
    public var multiByName: [(name: String, params: VectorParams)] {
        byName.filter { $0.params.multivector_config != nil }
    }
}

extension CollectionConfig {
    /// Checks every `multivector_config` (Qdrant's one comparator). Any `datatype` is served:
    /// multivectors are converted and stored as dense vectors of that datatype are.
    func validateMulti() throws {
        for (name, p) in params.vectors.multiByName {
            try p.multivector_config?.validate(name: name)
        }
    }
}
