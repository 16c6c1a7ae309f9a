import Foundation

/// The optimizer's bookkeeping for one shard.
final class OptimizerState: @unchecked Sendable {
    private let mutex = NSLock()
    private var _running = false
    private var _closed = false
    private var _lastError: String?
    /// The shard's `lastSeq` at the previous pass: an appendable segment unchanged since is idle.
    var seenSeq: UInt64 = .max

    /// Claims the shard for one optimization; false when one is already running or the shard closed.
    func begin() -> Bool {
        mutex.withLock {
            guard !_running, !_closed else { return false }
            _running = true
            return true
        }
    }

    func end(error: String?) { mutex.withLock { _running = false; _lastError = error } }

    var running: Bool { mutex.withLock { _running } }
    var lastError: String? { mutex.withLock { _lastError } }
    /// Stops further optimizations (the shard is being dropped or replaced); one in flight
    /// notices at its swap and throws its work away.
    func close() { mutex.withLock { _closed = true } }
    var closed: Bool { mutex.withLock { _closed } }
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
    /// since the previous pass: Qdrant's optimizer turns such a segment into an indexed one; in
    /// qdb the seal makes it a sealed segment, which the indexing job then rebuilds with graphs.
    /// (A bulk load keeps writing, so it is not cut into small segments.)
    private func sealIfIdleAndBig() throws {
        let (seq, big) = lock.read {
            (lastSeq, appendable.count > 0 && dims.indices.contains { indexSettings.wantsIndex(vectors: appendable.liveCount, dim: dims[$0], name: schema.names[$0]) })
        }
        defer { optimizerState.seenSeq = seq }
        guard big, seq == optimizerState.seenSeq else { return }
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
        // `m` 0 (set since the sources were indexed): no graph, as Qdrant.
        for slot in job.slots where fresh.count > 0 && settings.hnsw(for: schema.names[slot]).m > 0 {
            let name = schema.names[slot]
            let config = settings.hnsw(for: name)
            fresh.graphs[slot] = fresh.buildGraph(
                slot: slot, distance: schema.distances[slot], config: config,
                fullScanVectors: settings.fullScanVectors(name: name, dim: dims[slot], elementSize: schema.datatype(slot).elementSize), threads: threads,
                datatype: schema.datatype(slot), payloadIndex: payloadIndex)
        }
        Failpoint.pause("optimizer_before_write")
        let fields = lock.read { indexedFields }
        try fresh.writeSealed(to: segmentsDir, version: version, schema: schema, indexedFields: fields)
        Failpoint.pause("optimizer_before_swap")
        let swapped: Bool = try lock.write {
            guard !optimizerState.closed else { return false }
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
            let state = State(flushed_seq: flushedSeq, segments: sealed.map(\.id))
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
    var optimizationPending: Bool { optimizerState.running || nextOptimization() != nil }
}
