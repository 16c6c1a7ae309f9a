/// WAL record kind 8: an upsert carrying multivectors (kinds 1–7 keep their bytes, so older
/// WALs replay unchanged; `WriteOperation+Vectors`):
///
///     8  u32 n, then per point: id, u16 dense slots, per slot {u8 0 | u8 1, floats},
///        u16 sparse slots (as kind 7), u16 multivector slots, per slot {u8 0 | u8 1, u32 m,
///        m × floats}, payload
extension WriteOperation {
    static func encodeUpsertMulti(_ points: [SlotPoint], into w: inout ByteWriter) {
        w.u8(8)
        w.u32(UInt32(points.count))
        for p in points {
            w.pointID(p.id)
            writeDense(p.vectors, into: &w)
            writeSparse(p.sparse, into: &w)
            w.u16(UInt16(p.multi.count))
            for m in p.multi {
                guard let m else {
                    w.u8(0)
                    continue
                }
                w.u8(1)
                w.u32(UInt32(m.count))
                for v in m { w.floats(v) }
            }
            w.payload(p.payload)
        }
    }

    /// Counts are checked against the bytes left (Bounds) before anything is reserved: a point
    /// takes at least 20 bytes (id, three slot counts, empty payload), an inner vector 4.
    static func decodeUpsertMulti(_ r: inout ByteReader) throws -> [SlotPoint] {
        let n = try Bounds.count(try r.u32(), minimumRecordSize: 20, available: r.remaining, what: "WAL record points")
        var points: [SlotPoint] = []
        points.reserveCapacity(n)
        for _ in 0..<n {
            let id = try r.pointID()
            let vectors = try readDense(&r)
            let sparse = try readSparse(&r)
            let slots = Int(try r.u16())
            var multi: [[[Float]]?] = []
            for _ in 0..<slots {
                guard try r.u8() == 1 else {
                    multi.append(nil)
                    continue
                }
                let m = try Bounds.count(try r.u32(), minimumRecordSize: 4, available: r.remaining, what: "WAL multivector")
                var inner: [[Float]] = []
                inner.reserveCapacity(m)
                for _ in 0..<m { inner.append(try r.floats()) }
                multi.append(inner)
            }
            points.append(SlotPoint(id: id, vectors: vectors, payload: try r.payload(), sparse: sparse, multi: multi))
        }
        return points
    }
}
