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

    /// `points` as upserts of at most 1024 points and about 64 MiB of vectors each, so that WAL
    /// records stay far below `WAL.maxRecordBytes` however many points a filter selected.
    static func upserts(_ points: [SlotPoint]) -> [WriteOperation] {
        var ops: [WriteOperation] = [], start = 0, bytes = 0
        for (i, p) in points.enumerated() {
            let size = 64 + p.vectors.reduce(0) { $0 + 4 * ($1?.count ?? 0) } + p.sparse.reduce(0) { $0 + 8 * ($1?.indices.count ?? 0) }
                + p.multi.reduce(0) { $0 + 4 * ($1?.reduce(0) { $0 + $1.count } ?? 0) }
            if i > start, i - start == 1024 || bytes + size > 64 << 20 {
                ops.append(.upsert(Array(points[start..<i])))
                start = i
                bytes = 0
            }
            bytes += size
        }
        if start < points.count { ops.append(.upsert(Array(points[start...]))) }
        return ops
    }

    /// The ids a payload operation updates; nil for other operations.
    var payloadTargets: [PointID]? {
        switch self {
        case .setPayload(let ids, _, _), .overwritePayload(let ids, _), .deletePayload(let ids, _), .clearPayload(let ids): ids
        case .upsert, .delete: nil
        }
    }

    /// The same payload operation on `ids` (other operations are returned unchanged).
    func withPayloadTargets(_ ids: [PointID]) -> WriteOperation {
        switch self {
        case .setPayload(_, let payload, let key): .setPayload(ids: ids, payload: payload, key: key)
        case .overwritePayload(_, let payload): .overwritePayload(ids: ids, payload: payload)
        case .deletePayload(_, let keys): .deletePayload(ids: ids, keys: keys)
        case .clearPayload: .clearPayload(ids: ids)
        case .upsert, .delete: self
        }
    }

    /// What a payload operation makes of a point's payload (other operations leave it).
    func transformPayload(_ old: Payload) -> Payload {
        switch self {
        case .setPayload(_, let payload, let key): old.merging(payload, at: key)
        case .overwritePayload(_, let payload): payload
        case .deletePayload(_, let keys): old.removing(keys)
        case .clearPayload: [:]
        case .upsert, .delete: old
        }
    }
}
