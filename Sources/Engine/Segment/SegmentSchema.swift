/// What a segment's files need to know of its collection: the dense vectors by slot (sorted by
/// name, `""` for the unnamed one) with their sizes and distances. Segments hold vectors by
/// slot; Qdrant's files name them (`vector_storage` for `""`, `vector_storage-<name>` otherwise).
public struct SegmentSchema: Sendable, Equatable {
    public var names: [String]
    public var dims: [Int]
    public var distances: [Distance]

    public init(names: [String], dims: [Int], distances: [Distance]) {
        precondition(names.count == dims.count && dims.count == distances.count)
        self.names = names
        self.dims = dims
        self.distances = distances
    }

    public init(_ vectors: VectorsConfig) {
        let v = vectors.byName
        self.init(names: v.map(\.name), dims: v.map(\.params.size), distances: v.map(\.params.distance))
    }

    /// `vector_storage` or `vector_storage-<name>` (`segment_constructor_base/paths.rs`).
    public static func storageDir(_ name: String) -> String { name.isEmpty ? "vector_storage" : "vector_storage-\(name)" }
    /// `vector_index` or `vector_index-<name>`.
    public static func indexDir(_ name: String) -> String { name.isEmpty ? "vector_index" : "vector_index-\(name)" }

    /// The `SegmentConfig` of an immutable segment qdb writes: single-file storage, plain index.
    var immutableConfig: SegmentConfig {
        var data: [String: VectorDataConfig] = [:]
        for i in names.indices {
            data[names[i]] = VectorDataConfig(size: dims[i], distance: distances[i], storageType: .inRamMmap)
        }
        return SegmentConfig(vectorData: data)
    }
}
