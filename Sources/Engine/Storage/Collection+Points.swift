extension Collection {
    /// Validates and converts input points to slot form, preprocessing vectors for their distance.
    /// With `partial` (vector updates), a point may lack the unnamed vector.
    func slotPoints(_ points: [PointInput], partial: Bool = false) throws -> [SlotPoint] {
        // Once per request, not per point: both are computed from the config under its lock.
        let noSparse = sparseSlots.isEmpty, noMulti = multiSlots.isEmpty
        return try points.map { p in
            for name in p.vectors.keys where !slots.contains(where: { $0.name == name }) && multiSlot(named: name) == nil {
                try refuseSparseName(name)
                _ = try slot(named: name)
            }
            var vectors: [[Float]?] = []
            for (name, params) in slots {
                guard let v = p.vectors[name] else {
                    if name.isEmpty, noSparse, !partial { throw StorageError(.badInput, "Wrong input: point \(p.id) has no vector") }
                    vectors.append(nil)
                    continue
                }
                guard v.count == params.size else {
                    let label = name.isEmpty ? "" : " for vector `\(name)`"
                    throw StorageError(.badInput, "Wrong input: Vector dimension error: expected dim: \(params.size), got \(v.count)\(label)")
                }
                guard v.allSatisfy(\.isFinite) else {
                    throw StorageError(.badInput, "Wrong input: vector of point \(p.id) has a NaN or infinite value")
                }
                vectors.append(params.prepare(v))
            }
            return SlotPoint(
                id: p.id, vectors: vectors, payload: p.payload, sparse: try noSparse && p.sparse.isEmpty ? [] : sparseSlots(of: p),
                multi: try noMulti && p.multi.isEmpty ? [] : multiSlots(of: p))
        }
    }

    /// Upserts points. With `wait`, returns after the WAL of every touched shard is fsynced.
    /// - Returns: the operation id (the highest sequence number assigned).
    @discardableResult
    public func upsert(_ points: [PointInput], wait: Bool) throws -> UInt64 {
        let converted = try slotPoints(points)
        var byShard: [Int: [SlotPoint]] = [:]
        var seen = Set<PointID>()
        // Within one request the last occurrence of an id wins, as in Qdrant.
        for p in converted.reversed() where seen.insert(p.id).inserted {
            byShard[Int(p.id.routingHash % UInt64(shards.count)), default: []].append(p)
        }
        var opID: UInt64 = 0
        for (s, list) in byShard.sorted(by: { $0.key < $1.key }) {
            opID = max(opID, try shards[s].apply(.upsert(list.reversed()), sync: wait))
        }
        return opID
    }

    /// Deletes points by ids or filter.
    @discardableResult
    public func delete(_ selector: PointSelector, wait: Bool) throws -> UInt64 {
        try write(selector, wait: wait, requireExisting: false) { .delete($0) }
    }

    /// Qdrant's `set_payload`: merges `payload` into each selected point's payload (at `key` if given).
    @discardableResult
    public func setPayload(_ payload: Payload, key: String?, _ selector: PointSelector, wait: Bool) throws -> UInt64 {
        try write(selector, wait: wait) { .setPayload(ids: $0, payload: payload, key: key) }
    }

    @discardableResult
    public func overwritePayload(_ payload: Payload, _ selector: PointSelector, wait: Bool) throws -> UInt64 {
        try write(selector, wait: wait) { .overwritePayload(ids: $0, payload: payload) }
    }

    @discardableResult
    public func deletePayload(keys: [String], _ selector: PointSelector, wait: Bool) throws -> UInt64 {
        try write(selector, wait: wait) { .deletePayload(ids: $0, keys: keys) }
    }

    @discardableResult
    public func clearPayload(_ selector: PointSelector, wait: Bool) throws -> UInt64 {
        try write(selector, wait: wait) { .clearPayload(ids: $0) }
    }

    /// Resolves the selector per shard under that shard's write lock and applies `make(ids)`.
    /// With explicit ids and `requireExisting`, a missing id rejects the request before any change.
    private func write(
        _ selector: PointSelector, wait: Bool, requireExisting: Bool = true, _ make: @escaping ([PointID]) -> WriteOperation
    ) throws -> UInt64 {
        var opID: UInt64 = 0
        switch selector {
        case .ids(let ids):
            if requireExisting, let missing = ids.first(where: { !exists($0) }) {
                throw StorageError(.notFound, "No point with id \(missing) found")
            }
            var byShard: [Int: [PointID]] = [:]
            for id in ids { byShard[Int(id.routingHash % UInt64(shards.count)), default: []].append(id) }
            for (s, list) in byShard.sorted(by: { $0.key < $1.key }) {
                // Built under the lock: a payload update is logged by where its points are now.
                opID = max(opID, try shards[s].apply(sync: wait) { _ in make(list) } ?? 0)
            }
        case .filter(let filter):
            let filter = filter.bound(to: self)
            for shard in shards {
                let seq = try shard.apply(sync: wait) { sh in
                    let passes = sh.matcher(filter)
                    let ids = sh.index.compactMap { id, loc in passes(id, loc) ? id : nil }
                    return ids.isEmpty ? nil : make(ids)
                }
                opID = max(opID, seq ?? 0)
            }
        }
        return opID
    }

    func exists(_ id: PointID) -> Bool {
        let s = shard(for: id)
        return s.lock.read { s.contains(id) }
    }
}
