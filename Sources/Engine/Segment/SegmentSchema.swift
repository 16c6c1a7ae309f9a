/// What a segment's files need to know of its collection: the dense vectors by slot (sorted by
/// name, `""` for the unnamed one) with their sizes and distances. Segments hold vectors by
/// slot; Qdrant's files name them (`vector_storage` for `""`, `vector_storage-<name>` otherwise).
public struct SegmentSchema: Sendable, Equatable {
    public var names: [String]
    public var dims: [Int]
    public var distances: [Distance]
    /// The dense vectors' element types by slot (`VectorDatatype.swift`).
    public var datatypes: [VectorDatatype]
    /// Vector names (dense or sparse) a segment may lack or have beyond these while a named
    /// vector change is applied (`Storage+NamedVectors.swift`); empty otherwise.
    public var tolerated: Set<String> = []
    /// Sparse vectors by slot (sorted by name) and their params (`SegmentSchema+Sparse`).
    public var sparseNames: [String] = []
    public var sparseParams: [SparseVectorParams] = []
    /// Multivectors by slot (sorted by name): sizes, distances and element types (`SegmentSchema+Multi`).
    public var multiNames: [String] = []
    public var multiDims: [Int] = []
    public var multiDistances: [Distance] = []
    public var multiDatatypes: [VectorDatatype] = []

    public init(names: [String], dims: [Int], distances: [Distance]) {
        precondition(names.count == dims.count && dims.count == distances.count)
        self.names = names
        self.dims = dims
        self.distances = distances
        datatypes = names.map { _ in .float32 }
    }

    public init(_ vectors: VectorsConfig) {
        let v = vectors.denseByName
        self.init(names: v.map(\.name), dims: v.map(\.params.size), distances: v.map(\.params.distance))
        takeMulti(vectors.multiByName.map { ($0.name, $0.params.size, $0.params.distance, $0.params.storedDatatype) })
        datatypes = v.map(\.params.storedDatatype)
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
            if datatypes[i] != .float32 { data[names[i]]!.datatype = datatypes[i].rawValue }
        }
        var config = SegmentConfig(vectorData: data)
        config.sparse_vector_data = sparseVectorData(persisted: true)
        addMultiVectorData(&config)
        return config
    }
}

extension SegmentSchema {
    /// The vectors of a shard directory that comes without its collection's config (a shard
    /// snapshot): those of its segments' `segment.json` files, which must all agree.
    init(ofShardDir dir: String) throws {
        var found: SegmentSchema?
        for seg in FileIO.listDirectory(dir + "/segments").sorted() {
            let path = dir + "/segments/" + seg + "/" + SegmentState.fileName
            guard FileIO.exists(path) else { continue }
            let schema: SegmentSchema
            if let meta = try? SegmentMeta.decode(segmentJSON: try SegmentFiles.readSmall(path, SegmentState.fileName)), meta.format == 1 {
                throw StorageError(.badInput, "segment \(seg) is qdb 0.1's and does not name its vectors; restore the shard into its collection instead")
            } else {
                let state: SegmentState
                do { state = try SegmentState.read(validating: try SegmentFiles.readSmall(path, SegmentState.fileName)) } catch {
                    throw StorageError(.corrupt, "segment \(seg) is damaged: \(error)")
                }
                let data = state.config.vector_data
                let names = data.keys.sorted().filter { data[$0]!.multivector_config == nil }
                var s = SegmentSchema(names: names, dims: names.map { data[$0]!.size }, distances: names.map { data[$0]!.distance })
                s.datatypes = names.map { data[$0]!.storedDatatype }
                s.takeSparse(try SegmentSchema.sparseParams(of: state.config))
                s.takeMulti(SegmentSchema.multiParams(of: state.config))
                schema = s
            }
            if let found, found != schema {
                throw StorageError(.corrupt, "segment \(seg) has other vectors than the shard's other segments")
            }
            found = schema
        }
        self = found ?? SegmentSchema(names: [], dims: [], distances: [])
    }
}
