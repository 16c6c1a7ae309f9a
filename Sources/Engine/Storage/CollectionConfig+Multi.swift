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
    /// Checks every `multivector_config` (Qdrant's one comparator). qdb stores multivectors as
    /// float32 only (`MultiDenseVectorStorage`; its segment reader refuses other elements), so
    /// `datatype` float16/uint8 on a multivector is refused here rather than written unreadable.
    func validateMulti() throws {
        for (name, p) in params.vectors.multiByName {
            try p.multivector_config?.validate(name: name)
            if p.storedDatatype != .float32 {
                let label = name.isEmpty ? "vectors" : "vectors.\(name)"
                throw StorageError(.badInput, "Wrong input: qdb does not serve \(label).datatype \(p.storedDatatype.rawValue) on a multivector yet (float32 only)")
            }
        }
    }
}
