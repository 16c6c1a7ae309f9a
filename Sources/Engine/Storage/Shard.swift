import Foundation
import Logging

/// One shard of a collection: sealed segments on disk, one appendable segment in memory, the WAL
/// that makes the appendable segment durable, and an id → location index.
///
/// Concurrency: every read takes `lock` for reading; every write, seal and snapshot pin takes it
/// for writing. A write is logged before it is applied, so the state a reader sees is always
/// recoverable from `shard.json`, the sealed segments it lists, and the WAL tail.
final class Shard: @unchecked Sendable {
    struct Location {
        var seg: Int32
        var off: Int32
    }

    /// `shard.json`: the sealed segment set and the sequence number it reflects.
    struct State: Codable {
        var format = 1
        var flushed_seq: UInt64
        var segments: [String]

        /// The `shard.json` of the shard directory `dir`, or nil when it has none yet.
        static func read(shardDir dir: String) throws -> State? {
            let path = dir + "/shard.json"
            guard FileIO.exists(path) else { return nil }
            do {
                return try JSONDecoder().decode(State.self, from: Data(try FileIO.readAll(path)))
            } catch {
                throw StorageError(.corrupt, "shard state \(path) is unreadable: \(error)")
            }
        }
    }

    let id: Int
    let dir: String
    /// The collection's vectors (names, sizes, distances) the segment files are written with.
    let schema: SegmentSchema
    var dims: [Int] { schema.dims }
    /// The collection's indexed payload fields, listed in each new segment's
    /// `payload_index/config.json` (Qdrant rebuilds those indexes at load).
    var indexedFields: [String: JSONValue] = [:]
    /// The collection's HNSW and optimizer settings (`Index/IndexSettings.swift`); under `lock`.
    var indexSettings = IndexSettings()
    /// The optimizer's state (`Shard+Optimize.swift`).
    let optimizerState = OptimizerState()
    let sealThreshold: Int
    let logger: Logger
    let lock = RWLock()

    /// Sealed segments, then the appendable segment last.
    var segments: [Segment]
    var index = PointIndex()
    var wal: WAL
    var lastSeq: UInt64 = 0
    var flushedSeq: UInt64 = 0
    /// The background seal in flight (`Shard+BackgroundSeal`); under `lock`.
    var pendingSeal: PendingSeal?

    var appendable: Segment { segments[segments.count - 1] }
    var segmentsDir: String { dir + "/segments" }

    private init(id: Int, dir: String, schema: SegmentSchema, sealThreshold: Int, logger: Logger, wal: WAL) {
        self.id = id
        self.dir = dir
        self.schema = schema
        self.sealThreshold = sealThreshold
        self.logger = logger
        self.wal = wal
        self.segments = [Segment(dims: schema.dims)]
    }

    /// Opens the shard in `dir`: loads the sealed segments `shard.json` lists, removes any segment
    /// directory it does not list (left by a crash mid-seal), and replays the WAL tail.
    /// `preloaded`: segments already in memory for some of the listed ids (see
    /// `Segment.reusingColumns(for:)`), used instead of loading them.
    static func open(
        id: Int, dir: String, schema: SegmentSchema, sealThreshold: Int, logger: Logger, preloaded: [String: Segment] = [:]
    ) throws -> Shard {
        try FileIO.makeDirectories(dir + "/segments")
        let state = try State.read(shardDir: dir) ?? State(flushed_seq: 0, segments: [])
        let (wal, records) = try WAL.open(dir: dir + "/wal", logger: logger)
        let shard = Shard(id: id, dir: dir, schema: schema.settled, sealThreshold: sealThreshold, logger: logger, wal: wal)
        let listed = Set(state.segments)
        for name in FileIO.listDirectory(shard.segmentsDir) where !listed.contains(name) {
            logger.notice("removing unlisted segment directory", metadata: ["path": "\(shard.segmentsDir)/\(name)"])
            FileIO.removeTree(shard.segmentsDir + "/" + name)
        }
        // Segments load on every core (decoding an indexed segment's graph is most of its load,
        // and a restore or a restart waits for all of them); the first failing one, in
        // `shard.json`'s order, is the error, as a loop would give it.
        let sealed = try ParallelMap.map(state.segments) { name -> Segment in
            let seg = try preloaded[name] ?? Segment.load(from: shard.segmentsDir + "/" + name, schema: schema)
            guard seg.dims == schema.dims else {
                throw StorageError(.corrupt, "segment \(name) has vector sizes \(seg.dims), the collection has \(schema.dims)")
            }
            return seg
        }
        shard.segments = sealed + [Segment(dims: schema.dims)]
        // Segments restored from an archive (Qdrant's among them) may hold versions past what
        // `shard.json` records: new operations are numbered after every one of them.
        let newest = sealed.reduce(state.flushed_seq) { top, seg in max(top, seg.version, seg.versions.max() ?? 0) }
        // What the disk holds without the WAL is what `shard.json` says: a deletion bitmap written
        // after its records (a background seal's, an optimization's) can carry a newer version,
        // and taking that as flushed would let a later `shard.json` skip WAL records never sealed.
        shard.flushedSeq = state.flushed_seq
        shard.lastSeq = newest
        shard.rebuildIndex()
        var replayed = 0
        for record in records where record.seq > state.flushed_seq {
            let op: WriteOperation
            do {
                op = try WriteOperation.decode(record.body)
            } catch {
                throw StorageError(.corrupt, "WAL record \(record.seq) of shard \(dir) passed its CRC but does not decode")
            }
            shard.applyLocked(op, seq: record.seq)
            shard.lastSeq = max(shard.lastSeq, record.seq)
            replayed += 1
        }
        if replayed > 0 { logger.info("replayed WAL", metadata: ["shard": "\(dir)", "records": "\(replayed)"]) }
        return shard
    }

    /// A shard whose files moved to `dir` (by rename or exchange) after `loaded` opened them,
    /// taking over its in-memory state instead of loading it again. The WAL is reopened at its
    /// new place; `loaded` must be quiescent (a staged shard no one writes to).
    static func adopt(_ loaded: Shard, dir: String) throws -> Shard {
        let (wal, _) = try WAL.open(dir: dir + "/wal", logger: loaded.logger)
        let shard = Shard(id: loaded.id, dir: dir, schema: loaded.schema, sealThreshold: loaded.sealThreshold, logger: loaded.logger, wal: wal)
        shard.indexedFields = loaded.indexedFields
        shard.takeState(of: loaded, wal: wal)
        return shard
    }

    /// Takes `other`'s segments, index and sequence numbers, with `wal` as the log.
    func takeState(of other: Shard, wal: WAL) {
        segments = other.segments
        index = other.index
        self.wal = wal
        lastSeq = other.lastSeq
        flushedSeq = other.flushedSeq
    }

    func rebuildIndex() {
        index.removeAll(keepingCapacity: true)
        var uuids = 0  // live ones: the index holds only live points
        for seg in segments {
            let deleted = seg.deleted
            for (off, id) in seg.ids.enumerated() where !deleted[off] { if case .uuid = id { uuids += 1 } }
        }
        index.reserveCapacity(numbers: segments.reduce(0) { $0 + $1.liveCount } - uuids, uuids: uuids)
        for (s, seg) in segments.enumerated() {
            let ids = seg.ids, deleted = seg.deleted  // local views: no per-point property access
            for off in 0..<ids.count where !deleted[off] {
                let id = ids[off]
                // One hash lookup per point; a previous entry can only come from damage (two
                // live copies of one id): keep the newer copy.
                guard let old = index.updateValue(Location(seg: Int32(s), off: Int32(off)), forKey: id) else { continue }
                let oldSeg = segments[Int(old.seg)]
                if oldSeg.versions[Int(old.off)] > seg.versions[off] {
                    index[id] = old
                    seg.markDeleted(off, version: seg.versions[off])
                } else {
                    oldSeg.markDeleted(Int(old.off), version: oldSeg.versions[Int(old.off)])
                }
            }
        }
    }

    /// Logs and applies one operation; with `sync`, returns only after the WAL is fsynced.
    @discardableResult
    func apply(_ op: WriteOperation, sync: Bool) throws -> UInt64 {
        try apply(sync: sync) { _ in op } ?? lastSeq
    }

    /// Builds an operation under the write lock (so filters resolve against the state it will
    /// change), then logs and applies it. Returns nil when `build` finds nothing to do.
    func apply(sync: Bool, build: (Shard) throws -> WriteOperation?) throws -> UInt64? {
        try applyAll(sync: sync) { shard in try build(shard).map { shard.loggable($0) } ?? [] }
    }

    /// Builds operations under the write lock, then logs and applies them in order, each its own
    /// WAL record (readers see all or none of them: they wait for the lock). Returns the last
    /// one's sequence number, or nil when `build` returns none.
    func applyAll(sync: Bool, build: (Shard) throws -> [WriteOperation]) throws -> UInt64? {
        try lock.write {
            // A shard whose collection was deleted, replaced or reshaped (`withWritesBlocked`)
            // logs nothing more: its WAL is no longer the collection's.
            guard !optimizerState.closed else {
                throw StorageError(.locked, "The collection changed while this write waited; retry it")
            }
            let ops = try build(self)
            guard !ops.isEmpty else { return nil }
            for op in ops {
                let seq = lastSeq + 1
                try wal.append(seq: seq, body: op.encode())
                lastSeq = seq
                applyLocked(op, seq: seq)
            }
            if sync { try wal.sync() }
            if appendable.count >= sealThreshold { try sealFullLocked() }
            return lastSeq
        }
    }

    func contains(_ id: PointID) -> Bool { index[id] != nil }
}
