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
    /// The selection reads each shard under its read lock and the write takes the write lock
    /// after it, so a concurrent write to the same point in between can change what is selected
    /// (as with Qdrant, which also checks before it writes).
    @discardableResult
    public func upsert(_ points: [PointInput], wait: Bool, mode: UpdateMode, filter: Filter?) throws -> UInt64 {
        _ = try slotPoints(points)
        guard mode != .upsert || filter != nil else { return try upsert(points, wait: wait) }
        let bound = filter?.bindingVectors(filterVectorNames)
        let kept = points.filter { p in
            let shard = shard(for: p.id)
            let existing: Bool? = shard.lock.read {
                guard let loc = shard.index[p.id] else { return nil }
                guard let bound else { return true }
                return shard.matcher(bound)(p.id, loc)
            }
            switch (existing, mode) {
            case (nil, .updateOnly): return false
            case (nil, _): return true
            case (_?, .insertOnly): return false
            case (let passes?, _): return passes
            }
        }
        guard !kept.isEmpty else { return 0 }
        return try upsert(kept, wait: wait)
    }
}
