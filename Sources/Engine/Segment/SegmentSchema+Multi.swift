/// The multivector part of a segment's schema, and its entries in `segment.json`'s
/// `vector_data`: a dense vector entry with `"multivector_config": {"comparator": "max_sim"}`.
/// Qdrant 1.19 has no single-file multivector storage: whatever the `storage_type`, it opens the
/// chunked multi-dense storage (`segment_constructor_base/vector_storage.rs`), so qdb writes
/// `InRamMmap` (what Qdrant's optimizer writes for an immutable segment) over those files.
extension SegmentSchema {
    mutating func takeMulti(_ multi: [(name: String, dim: Int, distance: Distance, datatype: VectorDatatype)]) {
        let sorted = multi.sorted { $0.name < $1.name }
        multiNames = sorted.map(\.name)
        multiDims = sorted.map(\.dim)
        multiDistances = sorted.map(\.distance)
        multiDatatypes = sorted.map(\.datatype)
    }

    /// The element type of multivector slot `slot`.
    func multiDatatype(_ slot: Int) -> VectorDatatype { slot < multiDatatypes.count ? multiDatatypes[slot] : .float32 }

    static let maxSimConfig: JSONValue = .object(["comparator": .string("max_sim")])

    /// Adds every multivector to an immutable segment's `vector_data`.
    func addMultiVectorData(_ config: inout SegmentConfig) {
        for i in multiNames.indices {
            var v = VectorDataConfig(size: multiDims[i], distance: multiDistances[i], storageType: .inRamMmap)
            v.multivector_config = SegmentSchema.maxSimConfig
            if multiDatatype(i) != .float32 { v.datatype = multiDatatype(i).rawValue }
            config.vector_data[multiNames[i]] = v
        }
    }

    /// The multivectors a `segment.json` declares.
    static func multiParams(of config: SegmentConfig) -> [(name: String, dim: Int, distance: Distance, datatype: VectorDatatype)] {
        config.vector_data.keys.sorted().compactMap { name in
            let v = config.vector_data[name]!
            return v.multivector_config == nil ? nil : (name, v.size, v.distance, v.storedDatatype)
        }
    }

    /// Checks that `segment.json` declares the collection's multivectors (but those `tolerated`,
    /// added or removed since it was written), as multivectors of the same size and distance,
    /// with the collection's element type and the `max_sim` comparator.
    func checkMulti(_ config: SegmentConfig) throws {
        let all = SegmentSchema.multiParams(of: config)
        guard Set(all.map(\.name)).symmetricDifference(multiNames).isSubset(of: tolerated) else {
            throw SegmentFormatError(.corrupt, SegmentState.fileName, "has multivectors \(all.map { "\"\($0.name)\"" }), the collection has \(multiNames.map { "\"\($0)\"" })")
        }
        for f in all {
            guard let i = multiNames.firstIndex(of: f.name) else { continue }
            guard f.dim == multiDims[i], f.distance == multiDistances[i] else {
                throw SegmentFormatError(.corrupt, SegmentState.fileName, "multivector \"\(f.name)\" is \(f.dim)-d \(f.distance.rawValue), the collection's is \(multiDims[i])-d \(multiDistances[i].rawValue)")
            }
            let v = config.vector_data[f.name]!
            guard case .object(let o)? = v.multivector_config, o["comparator"] == .string("max_sim") else {
                throw SegmentFormatError(.unsupported, SegmentState.fileName, "multivector \"\(f.name)\" has a comparator other than max_sim")
            }
            guard f.datatype == multiDatatype(i) else {
                throw SegmentFormatError(.corrupt, SegmentState.fileName, "multivector \"\(f.name)\" is stored as \(f.datatype.rawValue), the collection's as \(multiDatatype(i).rawValue)")
            }
        }
    }
}
