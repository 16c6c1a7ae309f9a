/// A segment's multivectors: one column per multivector slot, an optional list of inner
/// vectors per point. Every point appended carries one entry per slot of its collection (nil
/// where absent), so in a segment holding points `multi.count` is the collection's slot count,
/// which `hasVector` relies on.
extension Segment {
    /// Appends the multivectors of the point at `off`, keeping every column `off + 1` long.
    func appendMulti(_ v: [[[Float]]?], at off: Int) {
        guard !v.isEmpty || !multi.isEmpty else { return }
        while multi.count < v.count { multi.append([]) }
        for slot in multi.indices {
            if multi[slot].count < off { multi[slot].append(contentsOf: repeatElement(nil, count: off - multi[slot].count)) }
            multi[slot].append(slot < v.count ? v[slot] : nil)
        }
    }

    func multiVector(slot: Int, at off: Int) -> [[Float]]? {
        guard slot < multi.count, off < multi[slot].count else { return nil }
        return multi[slot][off]
    }

    /// The point's multivectors by slot (empty when the segment holds none).
    func multiVectors(at off: Int) -> [[[Float]]?] {
        multi.indices.map { multiVector(slot: $0, at: off) }
    }

    /// Replaces the multivector columns (loaders); each column holds at most `count` entries.
    func loadMulti(_ columns: [[[[Float]]?]]) {
        precondition(columns.allSatisfy { $0.count <= count })
        multi = columns
    }

    /// Writes every multivector slot's storage (`vector_storage-<name>/`, Qdrant's chunked
    /// multi-dense layout, `MultiDenseVectorStorage`) into the segment directory `dir`.
    func writeMulti(to dir: String, schema: SegmentSchema) throws {
        for (slot, name) in schema.multiNames.enumerated() {
            let column = slot < multi.count ? multi[slot] : []
            try MultiDenseVectorStorage.write(
                column, count: count, dim: schema.multiDims[slot], datatype: schema.multiDatatype(slot), to: dir + "/" + SegmentSchema.storageDir(name))
        }
    }

    /// Reads the multivector storages of the segment directory `dir` for `count` points.
    static func readMulti(from dir: String, schema: SegmentSchema, count: Int, present: Set<String>? = nil) throws -> [[[[Float]]?]] {
        try schema.multiNames.enumerated().map { slot, name in
            // A multivector added after the segment was written: none of its points has it.
            if let present, !present.contains(name) { return [] }
            let sub = SegmentSchema.storageDir(name)
            return try MultiDenseVectorStorage.read(dir: dir + "/" + sub, relative: sub, dim: schema.multiDims[slot], datatype: schema.multiDatatype(slot), count: count)
        }
    }
}

extension Shard {
    /// The `k` best live points by MaxSim against `query` in multivector slot `slot` (exact
    /// scan; the internal score, larger is better), among those passing `filter`.
    func searchMulti(
        _ query: [[Float]], slot: Int, distance: Distance, raw: Bool = false, filter: Filter?, k: Int
    ) -> [(score: Float, point: PointView)] {
        guard k > 0 else { return [] }
        return lock.read {
            var top = TopK(k: k)
            for (s, seg) in segments.enumerated() {
                let ids = seg.ids
                let payloads = filter == nil ? [] : seg.payloads.all
                for off in 0..<seg.count where !seg.deleted[off] {
                    guard let v = seg.multiVector(slot: slot, at: off) else { continue }
                    if let filter, !filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) }) {
                        continue
                    }
                    top.insert(key: MultiVector.maxSim(query, v, distance: distance, raw: raw), seg: s, off: off)
                }
            }
            return top.sorted().map { e in
                let seg = segments[e.seg]
                return (e.key, PointView(id: seg.ids[e.off], version: seg.versions[e.off], payload: seg.payloads[e.off], vectors: []))
            }
        }
    }
}
