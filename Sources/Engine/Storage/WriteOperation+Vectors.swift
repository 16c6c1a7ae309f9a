/// WAL records for the vector kinds beyond dense f32. Record kinds 1–6 keep their bytes, so
/// every WAL written before still replays; a record only takes a new kind when it carries what
/// the old one cannot:
///
///     7  upsert with sparse vectors: u32 n, then per point: id, u16 dense slots, per slot
///        {u8 0 | u8 1, floats}, u16 sparse slots, per slot {u8 0 | u8 1, u32 k, k × u32
///        index, k × f32 weight}, payload
extension WriteOperation {
    /// Dense slots as kinds 1 and 7 hold them: u16 slot count, per slot {u8 0 | u8 1, floats}.
    static func writeDense(_ vectors: [[Float]?], into w: inout ByteWriter) {
        w.u16(UInt16(vectors.count))
        for v in vectors {
            if let v {
                w.u8(1)
                w.floats(v)
            } else {
                w.u8(0)
            }
        }
    }

    static func readDense(_ r: inout ByteReader) throws -> [[Float]?] {
        let slots = Int(try r.u16())
        var vectors: [[Float]?] = []
        for _ in 0..<slots { vectors.append(try r.u8() == 1 ? try r.floats() : nil) }
        return vectors
    }

    static func encodeUpsertV2(_ points: [SlotPoint], into w: inout ByteWriter) {
        w.u8(7)
        w.u32(UInt32(points.count))
        for p in points {
            w.pointID(p.id)
            writeDense(p.vectors, into: &w)
            writeSparse(p.sparse, into: &w)
            w.payload(p.payload)
        }
    }

    /// Sparse slots as kinds 7 and 8 hold them: u16 slot count, per slot {u8 0 | u8 1, u32 k,
    /// k × u32 index, k × f32 weight}.
    static func writeSparse(_ sparse: [SparseVector?], into w: inout ByteWriter) {
        w.u16(UInt16(sparse.count))
        for v in sparse {
            guard let v else {
                w.u8(0)
                continue
            }
            w.u8(1)
            w.u32(UInt32(v.indices.count))
            for i in v.indices { w.u32(i) }
            for x in v.values { w.u32(x.bitPattern) }
        }
    }

    static func readSparse(_ r: inout ByteReader) throws -> [SparseVector?] {
        let sparseSlots = Int(try r.u16())
        var sparse: [SparseVector?] = []
        for _ in 0..<sparseSlots {
            guard try r.u8() == 1 else {
                sparse.append(nil)
                continue
            }
            let k = try Bounds.count(try r.u32(), minimumRecordSize: 8, available: r.remaining, what: "WAL sparse vector")
            var indices: [UInt32] = []
            indices.reserveCapacity(k)
            for _ in 0..<k { indices.append(try r.u32()) }
            var values: [Float] = []
            values.reserveCapacity(k)
            for _ in 0..<k { values.append(Float(bitPattern: try r.u32())) }
            sparse.append(SparseVector(indices: indices, values: values))
        }
        return sparse
    }

    /// Counts are checked against the bytes left (Bounds) before anything is reserved: a point
    /// takes at least 18 bytes (id, two slot counts, empty payload), a sparse entry 8.
    static func decodeUpsertV2(_ r: inout ByteReader) throws -> [SlotPoint] {
        let n = try Bounds.count(try r.u32(), minimumRecordSize: 18, available: r.remaining, what: "WAL record points")
        var points: [SlotPoint] = []
        points.reserveCapacity(n)
        for _ in 0..<n {
            let id = try r.pointID()
            let vectors = try readDense(&r)
            let sparse = try readSparse(&r)
            points.append(SlotPoint(id: id, vectors: vectors, payload: try r.payload(), sparse: sparse))
        }
        return points
    }
}

extension WriteOperation {
    /// About the encoded size of a dense upsert (ids, vectors; payloads count a little), so the
    /// encoder allocates its buffer once instead of doubling it from 1 KiB up to a batch's
    /// megabytes; other operations start small.
    var estimatedSize: Int {
        guard case .upsert(let points) = self, let first = points.first else { return 1024 }
        let perPoint = 32 + first.vectors.reduce(0) { $0 + 5 + 4 * ($1?.count ?? 0) }
        return 1024 + points.count * perPoint
    }
}
