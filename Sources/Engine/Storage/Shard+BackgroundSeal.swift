import Foundation

/// A full appendable segment frozen for a background seal: `copy` shares its columns (copy on
/// write) and is what gets written; `seq` is the last operation it holds.
final class PendingSeal: @unchecked Sendable {
    let frozen: Segment
    let copy: Segment
    let seq: UInt64
    let schema: SegmentSchema
    let fields: [String: JSONValue]

    init(frozen: Segment, copy: Segment, seq: UInt64, schema: SegmentSchema, fields: [String: JSONValue]) {
        self.frozen = frozen
        self.copy = copy
        self.seq = seq
        self.schema = schema
        self.fields = fields
    }
}

extension Shard {
    /// Seals of at least this many points go to the background; smaller ones take a few
    /// milliseconds and stay inline, where tests and small collections see them at once.
    static let backgroundSealMinPoints = 10_000

    /// Called under the write lock when the appendable segment reached `sealThreshold`.
    ///
    /// A large seal used to run right here: writing, hashing and fsyncing 100k points took
    /// 0.2–0.5 s under the write lock, every 100k points, and was about a sixth of a bulk
    /// load's time. Now the segment is frozen (it stays in `segments`, searched in memory, its
    /// points deletable) and a new appendable segment takes the writes; a thread writes the
    /// frozen points as a sealed segment and swaps it in under a short lock
    /// (`installLocked`). One seal is in flight at a time: meanwhile the appendable segment
    /// grows, and at four times the threshold it is sealed inline, as is everything when a
    /// background seal failed.
    ///
    /// Crash safety: the WAL goes on in a new file from the freeze on, so the frozen points'
    /// records are in the older files, which are removed only after `shard.json` lists the
    /// written segment with `flushed_seq` = the freeze's sequence number. A crash before that
    /// replays them from the WAL (the unlisted directory is removed at open); after it, the
    /// later files replay what came since.
    func sealFullLocked() throws {
        let large = appendable.count >= Shard.backgroundSealMinPoints
        if pendingSeal != nil, large, appendable.count < 4 * sealThreshold { return }
        guard large, pendingSeal == nil, !segments.dropLast().contains(where: { !$0.isSealed }), optimizerState.beginSeal() else {
            try sealLocked()
            return
        }
        let frozen = appendable
        do {
            try wal.rotate(nextSeq: lastSeq + 1)
        } catch {
            optimizerState.endSeal()
            throw error
        }
        let job = PendingSeal(frozen: frozen, copy: frozen.frozenCopy(), seq: lastSeq, schema: schema, fields: indexedFields)
        segments.append(Segment(dims: dims))
        pendingSeal = job
        Thread.detachNewThread { [self] in
            defer { optimizerState.endSeal() }
            persist(job)
        }
    }

    /// The background half: writes the copy, then swaps it in; on any failure the frozen
    /// segment stays in memory (and its records in the WAL) for the next seal to write.
    private func persist(_ job: PendingSeal) {
        // The copy's directory is removed when the swap did not happen, unless the swap failed
        // midway: `shard.json` may list it then (a replace that failed after its rename), and an
        // unlisted directory is removed at the next open anyway.
        var discard = true
        do {
            Failpoint.pause("seal_before_write")
            if !optimizerState.sealStopRequested {
                try job.copy.writeSealed(to: segmentsDir, version: job.seq, schema: job.schema, indexedFields: job.fields)
                Failpoint.pause("seal_before_install")
                optimizerState.checkpoint?("seal_install")
                discard = false
                discard = !(try lock.write { try installLocked(job) })
            }
        } catch {
            logger.warning("background seal failed; the next seal writes its points", metadata: ["shard": "\(dir)", "error": "\(error)"])
        }
        lock.write { if pendingSeal === job { pendingSeal = nil } }
        if discard { FileIO.removeTree(segmentsDir + "/" + job.copy.id) }
    }

    /// Swaps the written copy in for the frozen segment (same offsets: the index stays), with
    /// the deletions made since the freeze; lists it in `shard.json` and drops the WAL files
    /// it made redundant. False when the shard sealed the frozen segment itself meanwhile, or
    /// is stopping. Caller holds the write lock.
    private func installLocked(_ job: PendingSeal) throws -> Bool {
        guard pendingSeal === job, !optimizerState.sealStopRequested,
            let pos = segments.firstIndex(where: { $0 === job.frozen })
        else { return false }
        let copy = job.copy, now = job.frozen.deleted, then = copy.deleted
        for off in 0..<copy.count where now[off] && !then[off] { copy.markDeleted(off, version: lastSeq) }
        // Deletions in older sealed segments before the freeze are only in the WAL files about
        // to go: their bitmaps are written first.
        for seg in segments where seg.isSealed { try seg.writeDeletions(in: segmentsDir) }
        let state = State(flushed_seq: job.seq, segments: (segments[..<pos] + [copy] + segments[(pos + 1)...]).filter(\.isSealed).map(\.id))
        try FileIO.writeAtomically(try [UInt8].json(state, pretty: true), to: dir + "/shard.json")
        segments[pos] = copy
        pendingSeal = nil
        flushedSeq = job.seq
        do {
            try wal.dropFiles(through: job.seq)
        } catch {
            logger.warning("could not remove sealed WAL files; the next seal does", metadata: ["shard": "\(dir)", "error": "\(error)"])
        }
        return true
    }
}
