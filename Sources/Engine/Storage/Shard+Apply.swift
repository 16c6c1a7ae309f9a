extension Shard {
    /// Applies a logged operation to the in-memory state. Caller holds the write lock.
    func applyLocked(_ op: WriteOperation, seq: UInt64) {
        switch op {
        case .upsert(let points):
            for p in points {
                if let loc = index[p.id] { segments[Int(loc.seg)].markDeleted(Int(loc.off), version: seq) }
                let off = appendable.append(p, version: seq)
                index[p.id] = Location(seg: Int32(segments.count - 1), off: Int32(off))
            }
        case .delete(let ids):
            for id in ids {
                guard let loc = index.removeValue(forKey: id) else { continue }
                segments[Int(loc.seg)].markDeleted(Int(loc.off), version: seq)
            }
        case .setPayload(let ids, _, _), .overwritePayload(let ids, _), .deletePayload(let ids, _), .clearPayload(let ids):
            updatePayloads(ids, seq: seq) { op.transformPayload($0) }
        }
    }

    /// `op` as the WAL must hold it. A payload update of a point in a sealed segment copies the
    /// point into the appendable segment and deletes the sealed copy; that deletion can reach the
    /// disk before `shard.json` records the operation as flushed (an optimization's swap writes
    /// its new segment's deletions; a seal cut short by a crash has written some), and a replayed
    /// payload update would then find no point to update: the point would be lost. So such points
    /// are logged as upserts of their whole new state, which replay without the sealed copy; points
    /// already in the appendable segment keep the payload operation (updated in place, and their
    /// earlier state is in the WAL anyway). Other operations are logged as they are. Caller holds
    /// the write lock; ids not in the shard are left out (empty: nothing to log).
    func loggable(_ op: WriteOperation) -> [WriteOperation] {
        guard let ids = op.payloadTargets else { return [op] }
        let last = segments.count - 1
        var inPlace: [PointID] = [], copied: [SlotPoint] = [], seen = Set<PointID>()
        for id in ids where seen.insert(id).inserted {
            guard let loc = index[id] else { continue }
            guard Int(loc.seg) != last else {
                inPlace.append(id)
                continue
            }
            let seg = segments[Int(loc.seg)], off = Int(loc.off)
            copied.append(seg.slotPoint(at: off, id: id, payload: op.transformPayload(seg.payloads[off])))
        }
        var ops = WriteOperation.upserts(copied)
        if !inPlace.isEmpty { ops.append(op.withPayloadTargets(inPlace)) }
        return ops
    }

    /// Rewrites payloads: in place in the appendable segment; by copying the point into the
    /// appendable segment (and deleting the sealed copy) otherwise.
    private func updatePayloads(_ ids: [PointID], seq: UInt64, _ transform: (Payload) -> Payload) {
        let last = segments.count - 1
        for id in ids {
            guard let loc = index[id] else { continue }
            let seg = segments[Int(loc.seg)]
            let off = Int(loc.off)
            let updated = transform(seg.payloads[off])
            if Int(loc.seg) == last {
                seg.setPayload(off, updated, version: seq)
            } else {
                let point = seg.slotPoint(at: off, id: id, payload: updated)
                seg.markDeleted(off, version: seq)
                let newOff = appendable.append(point, version: seq)
                index[id] = Location(seg: Int32(last), off: Int32(newOff))
            }
        }
    }

    /// Seals the appendable segment (if it holds any live point), persists changed deletion
    /// bitmaps, drops sealed segments with no live points, records the new segment set in
    /// `shard.json`, and starts an empty WAL. Caller holds the write lock.
    ///
    /// Crash safety: the WAL is fsynced first; a new segment directory is complete before it is
    /// listed; `shard.json` is replaced atomically; the WAL is reset only after that. A crash at any
    /// point leaves a state that `open` turns back into exactly the acknowledged writes.
    func sealLocked() throws {
        let sealedCount = segments.count - 1
        // Nothing new since the last seal: the on-disk state is already current. (Snapshots seal
        // every time; this keeps them from stalling writers and readers on a busy shard.)
        if appendable.count == 0, !segments[..<sealedCount].contains(where: { $0.deletedDirty || !$0.isSealed }), flushedSeq == lastSeq,
            FileIO.exists(dir + "/shard.json")
        {
            return
        }
        try wal.sync()
        // A segment frozen for a background seal that has not landed is sealed here, in place
        // (same offsets); the background seal then finds itself superseded.
        pendingSeal = nil
        for seg in segments.dropLast() where !seg.isSealed { try sealInPlace(seg) }
        // With nothing to drop (a bulk load), the appendable segment is sealed as it is:
        // compacting it would copy every column to get the same rows, under the write lock.
        let old = appendable
        let reused = old.liveCount == old.count && old.unmapped.isEmpty
        let fresh = reused ? old : old.compacted()
        var sealed = Array(segments.dropLast())
        if fresh.count > 0 {
            try sealInPlace(fresh)
            sealed.append(fresh)
            // Sealed now, so it can no longer be the appendable one: should a later step fail,
            // memory already holds it sealed and unlisted, as the disk does until the next seal
            // lists it (the WAL keeps its points until then).
            if reused { segments = sealed + [Segment(dims: dims)] }
        }
        for seg in sealed where seg.isSealed { try seg.writeDeletions(in: segmentsDir) }
        let dropped = sealed.filter { $0.liveCount == 0 }
        sealed.removeAll { $0.liveCount == 0 }
        let state = State(flushed_seq: lastSeq, segments: sealed.map(\.id))
        try FileIO.writeAtomically(try [UInt8].json(state, pretty: true), to: dir + "/shard.json")
        try wal.reset(nextSeq: lastSeq + 1)
        flushedSeq = lastSeq
        segments = sealed + [Segment(dims: dims)]
        if dropped.isEmpty {
            // Only the points that moved from the appendable segment change location: O(sealed
            // points), not O(shard), under the write lock.
            if fresh.count > 0, !reused {
                let s = Int32(sealed.count - 1)
                for off in 0..<fresh.count { index[fresh.ids[off]] = Location(seg: s, off: Int32(off)) }
            }
        } else {
            rebuildIndex()
        }
        for seg in dropped { FileIO.removeTree(segmentsDir + "/" + seg.id) }
    }

    /// Writes `seg`, a segment in memory, as a sealed segment at its place (offsets kept); a
    /// failure leaves it as it was. Caller holds the write lock.
    private func sealInPlace(_ seg: Segment) throws {
        let unsealed = (seg.createdVersion, seg.deletedVersion, seg.schema, seg.state, seg.sparseIndexPersisted, seg.fileDigests)
        do {
            try seg.writeSealed(to: segmentsDir, version: lastSeq, schema: schema, indexedFields: indexedFields)
        } catch {
            (seg.createdVersion, seg.deletedVersion, seg.schema, seg.state, seg.sparseIndexPersisted, seg.fileDigests) = unsealed
            throw error
        }
    }

    /// Seals under the write lock (clean shutdown, snapshots).
    func seal() throws {
        try lock.write { try sealLocked() }
    }
}
