/// The sparse half of a segment's schema, and `sparse_vector_data` of `segment.json` in Qdrant
/// 1.19's spelling (`SparseVectorDataConfig`, `lib/segment/src/types.rs`):
///
///     "sparse_vector_data": {"<name>": {"index": {"full_scan_threshold": null|n,
///                                                 "index_type": "MutableRam"|"ImmutableRam"|"Mmap",
///                                                 "datatype"?: "float32"|…},
///                                       "storage_type": "mmap", "modifier"?: "idf"|"none"}}
///
/// qdb writes `ImmutableRam` (`Mmap` with `index.on_disk`) and the index files under
/// `vector_index-<name>/` (`InvertedIndexFiles`) for a sealed segment it writes, as Qdrant's
/// optimizer does for the segments it builds; a segment declaring `MutableRam` (Qdrant's small
/// and appendable ones, qdb's before it persisted the index) keeps it, and the index is built
/// from the storage at load. Weights other than float32 are never persisted by qdb.
extension SegmentSchema {
    /// Whether Qdrant reads a sealed segment of this schema as appendable: with no dense vector
    /// and a `MutableRam` index on every sparse one (so never when `persistedIndex` holds for a
    /// float32 slot), `SegmentConfig::is_appendable` holds. Such a segment also carries the
    /// mutable id tracker, which an appendable segment has in Qdrant (it may append to it).
    func isAppendableForQdrant(persistedIndex: Bool) -> Bool {
        names.isEmpty && !sparseNames.isEmpty && sparseNames.indices.allSatisfy { sparseIndexType($0, persisted: persistedIndex) == "MutableRam" }
    }

    /// Whether the segment's gridstores (payloads, sparse storages) keep Qdrant's preallocated
    /// file sizes, as Qdrant's own segments do, appendable or not (holes on disk, sparse tar
    /// entries in archives): qdb keeps them for sparse-only collections, whose segments it first
    /// wrote as appendable ones.
    var preallocatesGridstores: Bool { names.isEmpty && !sparseNames.isEmpty }

    /// Whether qdb persists the index of sparse slot `slot` (float32 weights only).
    func persistsSparseIndex(_ slot: Int) -> Bool { (sparseParams[slot].index?.datatype ?? "float32") == "float32" }

    /// Qdrant's `SparseIndexType` spelling for slot `slot` of a segment whose index is
    /// `persisted` or not.
    func sparseIndexType(_ slot: Int, persisted: Bool) -> String {
        guard persisted, persistsSparseIndex(slot) else { return "MutableRam" }
        return sparseParams[slot].index?.on_disk == true ? "Mmap" : "ImmutableRam"
    }

    /// The `index` object (`SparseIndexConfig`) of slot `slot`, as in `segment.json` and
    /// `sparse_index_config.json`.
    func sparseIndexConfig(_ slot: Int, persisted: Bool) -> JSONValue {
        let p = sparseParams[slot]
        var index: [String: JSONValue] = [
            "full_scan_threshold": p.index?.full_scan_threshold.map { .int(Int64($0)) } ?? .null,
            "index_type": .string(sparseIndexType(slot, persisted: persisted)),
        ]
        if let d = p.index?.datatype { index["datatype"] = .string(d) }
        return .object(index)
    }

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

    /// `sparse_vector_data` for an immutable segment qdb writes, its index `persisted` or not;
    /// nil when there are no sparse vectors.
    func sparseVectorData(persisted: Bool) -> JSONValue? {
        guard !sparseNames.isEmpty else { return nil }
        var out: [String: JSONValue] = [:]
        for (slot, name) in sparseNames.enumerated() {
            var entry: [String: JSONValue] = ["index": sparseIndexConfig(slot, persisted: persisted), "storage_type": .string("mmap")]
            if let m = sparseParams[slot].modifier { entry["modifier"] = .string(m) }
            out[name] = .object(entry)
        }
        return .object(out)
    }

    /// The sparse vectors whose `segment.json` entry declares a persisted index (`ImmutableRam`
    /// or `Mmap`); call after `sparseParams(of:)` accepted the config.
    static func persistedSparseIndexes(of config: SegmentConfig) -> Set<String> {
        guard case .object(let entries)? = config.sparse_vector_data else { return [] }
        return Set(entries.compactMap { name, e in
            guard case .object(let o) = e, case .object(let idx)? = o["index"], case .string(let t)? = idx["index_type"] else { return nil }
            return t == "ImmutableRam" || t == "Mmap" ? name : nil
        })
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
                    guard ["float32", "float16", "uint8"].contains(d) else {
                        throw SegmentFormatError(.corrupt, SegmentState.fileName, "sparse vector \"\(name)\" has \(d) index weights")
                    }
                    // The storage holds f32 weights whatever the index's datatype; only a persisted
                    // index keeps them in that type, and qdb reads float32 index files only.
                    let persisted = idx["index_type"] == .string("ImmutableRam") || idx["index_type"] == .string("Mmap")
                    guard d == "float32" || !persisted else {
                        throw SegmentFormatError(.unsupported, SegmentState.fileName, "sparse vector \"\(name)\" has a persisted index of \(d) weights; qdb reads float32 index files only")
                    }
                    i.datatype = d
                }
                params.index = i
            }
            return (name, params)
        }
    }
}
