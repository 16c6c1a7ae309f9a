/// The sparse half of a segment's schema, and `sparse_vector_data` of `segment.json` in Qdrant
/// 1.19's spelling (`SparseVectorDataConfig`, `lib/segment/src/types.rs`):
///
///     "sparse_vector_data": {"<name>": {"index": {"full_scan_threshold": null|n,
///                                                 "index_type": "MutableRam"|"ImmutableRam"|"Mmap",
///                                                 "datatype"?: "float32"|…},
///                                       "storage_type": "mmap", "modifier"?: "idf"|"none"}}
///
/// qdb writes `MutableRam`: an index Qdrant builds from the storage when it loads the segment
/// (nothing under `vector_index-<name>/`), as qdb builds its own (`InvertedIndex`).
extension SegmentSchema {
    /// Whether Qdrant reads a sealed segment of this schema as appendable: with no dense vector
    /// and a `MutableRam` index on every sparse one, `SegmentConfig::is_appendable` holds. Such a
    /// segment also carries the mutable id tracker and preallocated gridstores, which an
    /// appendable segment has in Qdrant (it may append to it).
    public var isAppendableForQdrant: Bool { names.isEmpty && !sparseNames.isEmpty }

    /// This schema with the collection's sparse vectors (sorted by name).
    public func withSparse(_ sparse: [(name: String, params: SparseVectorParams)]) -> SegmentSchema {
        var s = self
        s.takeSparse(sparse)
        return s
    }

    mutating func takeSparse(_ sparse: [(name: String, params: SparseVectorParams)]) {
        let sorted = sparse.sorted { $0.name < $1.name }
        sparseNames = sorted.map(\.name)
        sparseParams = sorted.map(\.params)
    }

    /// `sparse_vector_data` for an immutable segment qdb writes; nil when there are no sparse vectors.
    var sparseVectorData: JSONValue? {
        guard !sparseNames.isEmpty else { return nil }
        var out: [String: JSONValue] = [:]
        for (name, p) in zip(sparseNames, sparseParams) {
            var index: [String: JSONValue] = [
                "full_scan_threshold": p.index?.full_scan_threshold.map { .int(Int64($0)) } ?? .null,
                "index_type": .string("MutableRam"),
            ]
            if let d = p.index?.datatype { index["datatype"] = .string(d) }
            var entry: [String: JSONValue] = ["index": .object(index), "storage_type": .string("mmap")]
            if let m = p.modifier { entry["modifier"] = .string(m) }
            out[name] = .object(entry)
        }
        return .object(out)
    }

    /// The sparse vectors a `segment.json` declares, checked: safe names, mmap storage (the
    /// only one Qdrant 1.19 writes), float32 weights.
    static func sparseParams(of config: SegmentConfig) throws -> [(name: String, params: SparseVectorParams)] {
        guard let data = config.sparse_vector_data, data != .null else { return [] }
        guard case .object(let entries) = data else {
            throw SegmentFormatError(.corrupt, SegmentState.fileName, "sparse_vector_data is not an object")
        }
        return try entries.keys.sorted().map { name in
            guard SegmentState.isSafeVectorName(name), !name.isEmpty else {
                throw SegmentFormatError(.corrupt, SegmentState.fileName, "sparse vector name \"\(name)\" cannot be a directory name")
            }
            guard case .object(let e) = entries[name]! else {
                throw SegmentFormatError(.corrupt, SegmentState.fileName, "sparse vector \"\(name)\" is not an object")
            }
            if let st = e["storage_type"], st != .string("mmap") {
                throw SegmentFormatError(.unsupported, SegmentState.fileName, "sparse vector \"\(name)\" uses \(st) storage; qdb reads Qdrant 1.19's mmap sparse storage only")
            }
            var params = SparseVectorParams()
            if case .string(let m)? = e["modifier"] { params.modifier = m }
            if case .object(let idx)? = e["index"] {
                var i = SparseVectorParams.Index()
                if let t = idx["full_scan_threshold"]?.number { i.full_scan_threshold = Int(exactly: t) }
                if case .string(let d)? = idx["datatype"] {
                    guard d == "float32" else {
                        throw SegmentFormatError(.unsupported, SegmentState.fileName, "sparse vector \"\(name)\" has \(d) weights; qdb reads float32 only")
                    }
                    i.datatype = d
                }
                params.index = i
            }
            return (name, params)
        }
    }
}
