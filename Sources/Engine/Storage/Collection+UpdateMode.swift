/// `update_mode` of an upsert: which of the given points are written.
public enum UpdateMode: String, Sendable, CaseIterable {
    /// Insert new points, replace existing ones (the default).
    case upsert
    /// Only points that do not exist yet.
    case insertOnly = "insert_only"
    /// Only points that exist already.
    case updateOnly = "update_only"
}

extension Collection {
    /// An upsert with Qdrant's `update_mode` and `update_filter`: an existing point is replaced only
    /// when it passes `filter` (new points are inserted regardless). Points the mode or filter
    /// rules out are skipped without error. Every point is validated before anything is written.
    ///
    /// Atomicity: for each shard, the check (does the point exist, does it pass `filter`) and the
    /// write happen in one step under the shard's write lock, so a concurrent writer cannot change
    /// a point between the check and the write (a compare-and-set on the payload holds).
    /// - Returns: the operation id, or 0 when the mode and filter ruled out every point.
    @discardableResult
    public func upsert(_ points: [PointInput], wait: Bool, mode: UpdateMode, filter: Filter?) throws -> UInt64 {
        guard mode != .upsert || filter != nil else { return try upsert(points, wait: wait) }
        let converted = try slotPoints(points)
        var byShard: [Int: [SlotPoint]] = [:]
        var seen = Set<PointID>()
        // Within one request the last occurrence of an id wins, as in Qdrant.
        for p in converted.reversed() where seen.insert(p.id).inserted {
            byShard[Int(p.id.routingHash % UInt64(shards.count)), default: []].append(p)
        }
        let bound = filter?.bound(to: self)
        var opID: UInt64 = 0
        for (s, list) in byShard.sorted(by: { $0.key < $1.key }) {
            let seq = try shards[s].apply(sync: wait) { shard in
                let passes = bound.map(shard.matcher)
                let kept = list.reversed().filter { p in
                    guard let loc = shard.index[p.id] else { return mode != .updateOnly }
                    return mode != .insertOnly && (passes?(p.id, loc) ?? true)
                }
                return kept.isEmpty ? nil : .upsert(Array(kept))
            }
            opID = max(opID, seq ?? 0)
        }
        return opID
    }
}
