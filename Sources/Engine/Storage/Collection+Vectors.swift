/// Qdrant's named-vector edits: `PUT …/points/vectors` (replace some vectors of existing
/// points, keeping the others and the payload) and `POST …/points/vectors/delete` (drop named
/// vectors from points). Each is resolved under the shard's write lock into an upsert of the
/// whole points, so the WAL replays it exactly.
extension Collection {
    /// Replaces the given vectors of each point; vectors not named stay as they are.
    /// - Throws: `.notFound` when a point does not exist (nothing is changed), `.badInput` for a
    ///   vector the collection does not have or of the wrong size.
    @discardableResult
    public func updateVectors(_ points: [PointInput], wait: Bool) throws -> UInt64 {
        let converted = try slotPoints(points, partial: true)
        if let missing = points.first(where: { !exists($0.id) }) {
            throw StorageError(.notFound, "No point with id \(missing.id) found")
        }
        let denseNames = slots.map(\.name), sparseNames = sparseSlots.map(\.name), multiNames = multiSlots.map(\.name)
        var byShard: [Int: [(SlotPoint, given: Set<String>)]] = [:]
        for (p, input) in zip(converted, points) {
            byShard[Int(p.id.routingHash % UInt64(shards.count)), default: []].append((p, Set(input.vectors.keys).union(input.sparse.keys).union(input.multi.keys)))
        }
        var opID: UInt64 = 0
        for (s, list) in byShard.sorted(by: { $0.key < $1.key }) {
            let seq = try shards[s].apply(sync: wait) { sh in
                let merged: [SlotPoint] = list.compactMap { p, given in
                    guard var current = sh.slotPoint(p.id, denseSlots: denseNames.count, sparseSlots: sparseNames.count, multiSlots: multiNames.count) else { return nil }
                    for (i, name) in denseNames.enumerated() where given.contains(name) { current.vectors[i] = p.vectors[i] }
                    for (i, name) in sparseNames.enumerated() where given.contains(name) { current.sparse[i] = p.sparse[i] }
                    for (i, name) in multiNames.enumerated() where given.contains(name) { current.multi[i] = p.multi[i] }
                    return current
                }
                return merged.isEmpty ? nil : .upsert(merged)
            }
            opID = max(opID, seq ?? 0)
        }
        return opID
    }

    /// Removes the named vectors from the selected points (points and payloads stay).
    /// - Throws: `.badInput` for a name the collection does not have.
    @discardableResult
    public func deleteVectors(_ names: [String], _ selector: PointSelector, wait: Bool) throws -> UInt64 {
        let denseNames = slots.map(\.name), sparseNames = sparseSlots.map(\.name), multiNames = multiSlots.map(\.name)
        for n in names where !denseNames.contains(n) && !sparseNames.contains(n) && !multiNames.contains(n) { _ = try slot(named: n) }
        let drop = Set(names)
        let filter = { () -> Filter? in if case .filter(let f) = selector { return f.bindingVectors(filterVectorNames) } else { return nil } }()
        var opID: UInt64 = 0
        for shard in shards {
            let seq = try shard.apply(sync: wait) { sh in
                let ids: [PointID]
                switch selector {
                case .ids(let list): ids = list.filter { sh.contains($0) }
                case .filter:
                    let passes = sh.matcher(filter!)
                    ids = sh.index.compactMap { id, loc in passes(id, loc) ? id : nil }
                }
                let edited: [SlotPoint] = ids.compactMap { id in
                    guard var p = sh.slotPoint(id, denseSlots: denseNames.count, sparseSlots: sparseNames.count, multiSlots: multiNames.count) else { return nil }
                    for (i, n) in denseNames.enumerated() where drop.contains(n) { p.vectors[i] = nil }
                    for (i, n) in sparseNames.enumerated() where drop.contains(n) { p.sparse[i] = nil }
                    for (i, n) in multiNames.enumerated() where drop.contains(n) { p.multi[i] = nil }
                    return p
                }
                return edited.isEmpty ? nil : .upsert(edited)
            }
            opID = max(opID, seq ?? 0)
        }
        return opID
    }
}

extension Shard {
    /// The live point `id` as an upsert would carry it (every slot, payload). Under the lock.
    func slotPoint(_ id: PointID, denseSlots: Int, sparseSlots: Int, multiSlots: Int = 0) -> SlotPoint? {
        guard let loc = index[id] else { return nil }
        let seg = segments[Int(loc.seg)]
        let off = Int(loc.off)
        let sparse = (0..<sparseSlots).map { seg.sparseVector(slot: $0, at: off) }
        let multi = (0..<multiSlots).map { seg.multiVector(slot: $0, at: off) }
        return SlotPoint(id: id, vectors: seg.vectors(at: off), payload: seg.payloads[off], sparse: sparseSlots == 0 ? [] : sparse, multi: multi)
    }
}
