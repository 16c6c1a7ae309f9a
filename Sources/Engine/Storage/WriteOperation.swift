/// A point as an upsert carries it: vectors by slot (nil where a named vector is absent).
struct SlotPoint: Sendable {
    var id: PointID
    var vectors: [[Float]?]
    var payload: Payload
    /// By sparse slot (nil where absent); empty in collections without sparse vectors.
    var sparse: [SparseVector?] = []
    /// By multivector slot (nil where absent); empty in collections without multivectors.
    var multi: [[[Float]]?] = []
}

/// A shard-level write, as logged in the WAL. Filters are resolved to ids before logging,
/// so replaying the log is deterministic.
enum WriteOperation: Sendable {
    case upsert([SlotPoint])
    case delete([PointID])
    case setPayload(ids: [PointID], payload: Payload, key: String?)
    case overwritePayload(ids: [PointID], payload: Payload)
    case deletePayload(ids: [PointID], keys: [String])
    case clearPayload(ids: [PointID])

    func encode() -> [UInt8] {
        var w = ByteWriter(capacity: estimatedSize)
        func ids(_ list: [PointID]) {
            w.u32(UInt32(list.count))
            for id in list { w.pointID(id) }
        }
        switch self {
        case .upsert(let points) where points.contains(where: { !$0.multi.isEmpty }):
            WriteOperation.encodeUpsertMulti(points, into: &w)
        case .upsert(let points) where points.contains(where: { !$0.sparse.isEmpty }):
            WriteOperation.encodeUpsertV2(points, into: &w)
        case .upsert(let points):
            w.u8(1)
            w.u32(UInt32(points.count))
            for p in points {
                w.pointID(p.id)
                WriteOperation.writeDense(p.vectors, into: &w)
                w.payload(p.payload)
            }
        case .delete(let list):
            w.u8(2)
            ids(list)
        case .setPayload(let list, let payload, let key):
            w.u8(3)
            ids(list)
            w.payload(payload)
            w.u8(key == nil ? 0 : 1)
            if let key { w.string(key) }
        case .overwritePayload(let list, let payload):
            w.u8(4)
            ids(list)
            w.payload(payload)
        case .deletePayload(let list, let keys):
            w.u8(5)
            ids(list)
            w.u32(UInt32(keys.count))
            for k in keys { w.string(k) }
        case .clearPayload(let list):
            w.u8(6)
            ids(list)
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> WriteOperation {
        try bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            // Counts are checked against the bytes left (Bounds) before anything is reserved: an
            // id takes at least 9 bytes, a point at least 16 (id, slot count, empty payload).
            func ids() throws -> [PointID] {
                let n = try Bounds.count(try r.u32(), minimumRecordSize: 9, available: r.remaining, what: "WAL record ids")
                return try (0..<n).map { _ in try r.pointID() }
            }
            switch try r.u8() {
            case 1:
                let n = try Bounds.count(try r.u32(), minimumRecordSize: 16, available: r.remaining, what: "WAL record points")
                var points: [SlotPoint] = []
                points.reserveCapacity(n)
                for _ in 0..<n {
                    let id = try r.pointID()
                    let vectors = try WriteOperation.readDense(&r)
                    points.append(SlotPoint(id: id, vectors: vectors, payload: try r.payload()))
                }
                return .upsert(points)
            case 2: return .delete(try ids())
            case 3:
                let list = try ids()
                let payload = try r.payload()
                let key = try r.u8() == 1 ? try r.string() : nil
                return .setPayload(ids: list, payload: payload, key: key)
            case 4:
                let list = try ids()
                return .overwritePayload(ids: list, payload: try r.payload())
            case 5:
                let list = try ids()
                let n = Int(try r.u32())
                guard n <= r.remaining else { throw ByteReader.Truncated() }
                return .deletePayload(ids: list, keys: try (0..<n).map { _ in try r.string() })
            case 6: return .clearPayload(ids: try ids())
            case 7: return .upsert(try WriteOperation.decodeUpsertV2(&r))
            case 8: return .upsert(try WriteOperation.decodeUpsertMulti(&r))
            default: throw ByteReader.Truncated()
            }
        }
    }
}

extension Payload {
    /// Qdrant's `set_payload`: merge `other` in (a null removes the key), or with `key`, merge it
    /// into the object(s) at that JSON path (`a.b`, `a[0]`, `a[].b`), as `JSONPath` defines.
    func merging(_ other: Payload, at key: String?) -> Payload {
        guard let key, !key.isEmpty else { return mergingRemovingNulls(other) }
        return setting(other, at: JSONPath(lenient: key))
    }

    /// Removes `keys`, each a JSON path (`a`, `a.b`, `a[].b`, `a[]`).
    func removing(_ keys: [String]) -> Payload {
        var out = self
        for k in keys {
            out = out.deleting(JSONPath(lenient: k))
        }
        return out
    }
}
