import Foundation

/// The optimizer's bookkeeping for one shard.
///
/// Stopping a job: `pause()` (a replace of the shard's data) and `close()` (the shard is being
/// dropped) ask the job in flight to stop; it checks `stopRequested` between its phases and
/// during graph builds, throws its work away (its new segment directory included) and ends;
/// `pause()` and `closeWaiting()` return only then, so the job never writes into a directory
/// that changed under it. No job starts while paused or after close.
final class OptimizerState: @unchecked Sendable {
    private let condition = NSCondition()
    private var _running = false
    private var _closed = false
    private var _paused = 0
    private var _stop = false
    private var _sealing = 0
    private var _lastError: String?
    /// The shard's `lastSeq` when a pass last saw it change, and when: an appendable segment
    /// unchanged for `idleSeconds` is idle. (Passes of several workers can follow each other
    /// within microseconds, so "unchanged since the previous pass" alone cut bulk loads into
    /// small segments.)
    var seenSeq: UInt64 = .max
    var seenAt = ContinuousClock.now
    static let idleSeconds = 1.0
    /// Tests only: called with a phase name at each of the job's checks (see `Shard.run`).
    var checkpoint: (@Sendable (String) -> Void)?

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    /// Claims the shard for one optimization; false when one is already running, or the shard
    /// is paused or closed.
    func begin() -> Bool {
        locked {
            guard !_running, !_closed, _paused == 0 else { return false }
            _running = true
            _stop = false
            return true
        }
    }

    func end(error: String?) {
        locked {
            _running = false
            _stop = false
            _lastError = error
            condition.broadcast()
        }
    }

    var running: Bool { locked { _running } }
    var lastError: String? { locked { _lastError } }

    /// Whether the job in flight should stop (and throw its work away).
    var stopRequested: Bool { locked { _stop || _closed } }

    /// Stops further optimizations (the shard is being dropped or replaced); one in flight
    /// notices at its next check and throws its work away.
    func close() { locked { _closed = true } }
    var closed: Bool { locked { _closed } }

    /// `close()`, then waits until the job in flight (if any) has ended. The caller must not hold
    /// the shard's lock (the job may need it to finish).
    func closeWaiting() {
        locked {
            _closed = true
            while _running || _sealing > 0 { condition.wait() }
        }
    }

    /// Asks the job in flight (if any) to stop, waits until it has ended, and keeps further jobs
    /// from starting until `resume()`. Pauses nest. The caller must not hold the shard's lock.
    func pause() {
        locked {
            _paused += 1
            if _running { _stop = true }
            while _running || _sealing > 0 { condition.wait() }
        }
    }

    func resume() { locked { _paused = max(0, _paused - 1) } }

    /// Claims a background seal (`Shard+BackgroundSeal`); false while paused or closed.
    /// `pause()` and `closeWaiting()` wait for claimed seals as for the job in flight.
    func beginSeal() -> Bool {
        locked {
            guard !_closed, _paused == 0 else { return false }
            _sealing += 1
            return true
        }
    }

    func endSeal() {
        locked {
            _sealing -= 1
            condition.broadcast()
        }
    }

    /// Whether a background seal should throw its work away (a pause or close is waiting).
    var sealStopRequested: Bool { locked { _closed || _paused > 0 } }

    /// Whether a background seal is in flight.
    var sealing: Bool { locked { _sealing > 0 } }

    /// Waits until no background seal is in flight. The caller must not hold the shard's lock.
    func waitForSeals() {
        locked { while _sealing > 0 { condition.wait() } }
    }

    /// Runs `body` paused (`pause()`, then `resume()` however `body` ends).
    func pausing<T>(_ body: () throws -> T) rethrows -> T {
        pause()
        defer { resume() }
        return try body()
    }

    /// Calls the test hook, then tells whether the job should stop.
    func check(_ phase: String) -> Bool {
        checkpoint?(phase)
        return stopRequested
    }
}

/// One optimization: rebuild one sealed segment, or merge several, as a new one (new id)
/// holding their live points, with an HNSW graph for every vector that passes
/// `indexing_threshold` (Qdrant's merge, indexing and vacuum optimizers, which also write a new
/// segment and swap it in).
struct OptimizationJob {
    /// In shard order.
    var sources: [Segment]
    /// Slots to index in the new segment (those the source has graphs for stay indexed).
    var slots: [Int]
    var reason: String
}

extension Shard {
    /// The next optimization under the current settings. First a merge, as Qdrant's optimizers
    /// run merging first (one graph for the merged points rather than one per small segment):
    /// more segments than `default_segment_number` with small sealed ones that fit together
    /// under `max_segment_size` (`IndexSettings.mergeBatch`). Then the first sealed segment
    /// with a vector past `indexing_threshold` and no graph, or more than `deleted_threshold`
    /// of its points deleted (when it has at least `vacuum_min_vector_number`).
    func nextOptimization() -> OptimizationJob? {
        lock.read {
            let s = indexSettings
            let sealed = segments.dropLast().filter { $0.isSealed && $0.count > 0 }
            let pointBytes = dims.reduce(0) { $0 + IndexSettings.vectorBytes($1) }
            if let batch = s.mergeBatch(sizes: sealed.map { $0.count * pointBytes }, segmentCount: segments.count) {
                let parts = batch.sorted().map { sealed[$0] }
                let live = parts.reduce(0) { $0 + $1.liveCount }
                let want = dims.indices.filter { slot in parts.contains { $0.graphs[slot] != nil } || s.wantsIndex(vectors: live, dim: dims[slot], name: schema.names[slot]) }
                return OptimizationJob(sources: parts, slots: want, reason: "merge")
            }
            for seg in sealed {
                let live = seg.liveCount
                let want = dims.indices.filter { seg.graphs[$0] != nil || s.wantsIndex(vectors: live, dim: dims[$0], name: schema.names[$0]) }
                let missing = want.filter { seg.graphs[$0] == nil }
                let deleted = seg.count - live
                let vacuum = seg.count >= s.optimizer.vacuum_min_vector_number && Double(deleted) / Double(seg.count) > s.optimizer.deleted_threshold
                if !missing.isEmpty || vacuum {
                    return OptimizationJob(sources: [seg], slots: want, reason: missing.isEmpty ? "vacuum" : "indexing")
                }
            }
            return nil
        }
    }

    /// Runs optimizations until none is needed (or the shard closes). Returns how many ran.
    /// Reads and writes go on meanwhile: the new segment is built and written with no lock held;
    /// only the swap takes the write lock. Each job holds CPUs of `budget` (if any) while it
    /// runs. A collection with `max_optimization_threads` 0 is not optimized (Qdrant's meaning).
    @discardableResult
    func optimize(budget: OptimizerBudget? = nil) throws -> Int {
        guard lock.read({ indexSettings.optimizer.max_optimization_threads }) != 0 else { return 0 }
        guard optimizerState.begin() else { return 0 }
        var done = 0
        do {
            try sealIfIdleAndBig()
            while !optimizerState.closed, let job = nextOptimization() {
                let threads = budget?.acquire(threadsWanted(job))
                defer { if let threads { budget?.release(threads) } }
                guard try run(job, threads: threads) else { break }
                done += 1
            }
        } catch {
            optimizerState.end(error: "\(error)")
            throw error
        }
        optimizerState.end(error: nil)
        return done
    }

    /// The CPUs `job` wants from the budget: its vectors' `max_indexing_threads` (0 = as many as
    /// the budget has), or one for a job that builds no graph.
    private func threadsWanted(_ job: OptimizationJob) -> Int {
        let settings = lock.read { indexSettings }
        let wanted = job.slots.map { settings.hnsw(for: schema.names[$0]).max_indexing_threads }
        return wanted.isEmpty ? 1 : wanted.contains(0) ? 0 : wanted.max()!
    }

    /// Seals the appendable segment when it holds enough vectors for an index and no write came
    /// for `OptimizerState.idleSeconds`: Qdrant's optimizer turns such a segment into an indexed one; in
    /// qdb the seal makes it a sealed segment, which the indexing job then rebuilds with graphs.
    /// (A bulk load keeps writing, so it is not cut into small segments.)
    private func sealIfIdleAndBig() throws {
        let (seq, big) = lock.read {
            (lastSeq, appendable.count > 0 && dims.indices.contains { indexSettings.wantsIndex(vectors: appendable.liveCount, dim: dims[$0], name: schema.names[$0]) })
        }
        let state = optimizerState, now = ContinuousClock.now
        guard seq == state.seenSeq else {
            state.seenSeq = seq
            state.seenAt = now
            return
        }
        guard big, (now - state.seenAt).seconds >= OptimizerState.idleSeconds else { return }
        try seal()
    }

    /// Builds `job`'s new segment and swaps it in; false when a source went away meanwhile.
    ///
    /// Crash safety: the new segment is written as `<id>.tmp` and renamed (`writeSealed`), so a
    /// crash before the swap leaves a directory `shard.json` does not list (removed at the next
    /// open); the swap writes `shard.json` atomically, listing the new segment instead of the
    /// old, after the new segment's deletion bitset holds every deletion made meanwhile; a
    /// crash after it leaves the old directories unlisted. Deletions after the last seal are in
    /// the WAL, replayed either way. A merge lists the new segment at its first source's place
    /// and drops the others from `shard.json` in the same atomic write. `threads` (the CPUs
    /// granted by the budget) overrides the graph builds' `max_indexing_threads`.
    func run(_ job: OptimizationJob, threads: Int? = nil) throws -> Bool {
        let sources = job.sources
        let (keeps, version) = lock.read { (sources.map { $0.deleted.map { !$0 } }, sources.map(\.version).max() ?? 0) }
        let fresh = Segment(dims: dims)
        let moved = zip(sources, keeps).map { fresh.appendPoints(of: $0, keeping: $1) }
        let (settings, schemaFields) = lock.read { (indexSettings, indexedFields) }
        // The new segment's payload indexes: its graphs' payload links, then its search planner.
        let payloadIndex = schemaFields.isEmpty || fresh.count == 0 ? nil : SegmentPayloadIndex(segment: fresh, schema: schemaFields)
        if let payloadIndex { fresh.planner.adopt(payloadIndex) }
        let started = Date()
        let state = optimizerState
        // `m` 0 (set since the sources were indexed): no graph, as Qdrant.
        for slot in job.slots where fresh.count > 0 && settings.hnsw(for: schema.names[slot]).m > 0 {
            if state.check("build") { return false }
            let name = schema.names[slot]
            let config = settings.hnsw(for: name)
            fresh.graphs[slot] = fresh.buildGraph(
                slot: slot, distance: schema.distances[slot], config: config,
                fullScanVectors: settings.fullScanVectors(name: name, dim: dims[slot], elementSize: schema.datatype(slot).elementSize), threads: threads,
                datatype: schema.datatype(slot), payloadIndex: payloadIndex, stop: { state.stopRequested })
        }
        Failpoint.pause("optimizer_before_write")
        if state.check("write") { return false }
        let fields = lock.read { indexedFields }
        try fresh.writeSealed(to: segmentsDir, version: version, schema: schema, indexedFields: fields)
        Failpoint.pause("optimizer_before_swap")
        let swapped: Bool = try lock.write {
            guard !state.check("swap") else { return false }
            var positions: [Int] = []
            for source in sources {
                guard let pos = segments.firstIndex(where: { $0 === source }), pos < segments.count - 1 else { return false }
                positions.append(pos)
            }
            for (k, source) in sources.enumerated() {
                for off in 0..<source.count where keeps[k][off] && source.deleted[off] {
                    fresh.markDeleted(Int(moved[k][off]), version: source.deletedVersion)
                }
            }
            if fresh.deletedDirty { try fresh.writeDeletions(in: segmentsDir) }
            let first = positions.min()!
            var sealed = Array(segments.dropLast())
            sealed[first] = fresh
            for pos in positions.sorted(by: >) where pos != first { sealed.remove(at: pos) }
            let state = State(flushed_seq: flushedSeq, segments: sealed.filter(\.isSealed).map(\.id))
            try FileIO.writeAtomically(try [UInt8].json(state, pretty: true), to: dir + "/shard.json")
            segments = sealed + [appendable]
            // The new segment's points, and (after a merge) every later segment's, which moved down.
            for pos in first..<(positions.count > 1 ? segments.count : first + 1) {
                let seg = segments[pos], ids = seg.ids, deleted = seg.deleted
                for off in 0..<seg.count where !deleted[off] { index[ids[off]] = Location(seg: Int32(pos), off: Int32(off)) }
            }
            return true
        }
        guard swapped else {
            FileIO.removeTree(segmentsDir + "/" + fresh.id)
            return false
        }
        for source in sources { FileIO.removeTree(segmentsDir + "/" + source.id) }
        logger.info("optimized segment", metadata: [
            "reason": "\(job.reason)", "from": "\(sources.map(\.id).joined(separator: ","))", "to": "\(fresh.id)", "points": "\(fresh.liveCount)",
            "indexed": "\(fresh.graphs.keys.sorted())", "seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))",
        ])
        return true
    }

    /// Qdrant's collection `status`: green when no optimization is pending or running, yellow otherwise.
    var optimizationPending: Bool { optimizerState.running || optimizerState.sealing || nextOptimization() != nil }
}
