import Foundation
import Metrics

/// Creates, lists, deletes and recovers snapshots of one storage into one store (Qdrant's
/// snapshots manager). Records `snapshot_creation_running`, `snapshot_recovery_running` and
/// `snapshot_created_total` with an `id` label, through swift-metrics.
public final class SnapshotService: Sendable {
    public let storage: Storage
    public let store: any SnapshotStore
    private let recoveries = RecoveryLocks()
    let partialRecoveries = ExclusiveLocks()
    /// Long operations started through this service (the server's `/operations`).
    public let operations = OperationRegistry()
    /// The states of the schedules that run through this service (`GET /schedules`).
    public let schedules = ScheduleBoard()

    /// Wraps the sink every created archive is written to (the CLI's progress reporting).
    let wrapSink: (@Sendable (any ByteSink) -> any ByteSink)?

    /// How stored snapshots are compressed (`storage.snapshots_config.compression`).
    public let compression: SnapshotCompression

    public init(
        storage: Storage, store: any SnapshotStore, wrapSink: (@Sendable (any ByteSink) -> any ByteSink)? = nil,
        compression: SnapshotCompression = .none
    ) {
        self.storage = storage
        self.store = store
        self.wrapSink = wrapSink
        self.compression = compression
    }

    // MARK: collection snapshots

    /// Creates and stores a snapshot of collection `name`, with its checksum sidecar.
    /// With `operation`, the archive's bytes are counted into it and its cancellation aborts the
    /// upload, so a cancelled create lists nothing.
    public func createCollectionSnapshot(
        _ name: String, operation: SnapshotOperation? = nil, annotation: SnapshotAnnotation? = nil
    ) throws -> SnapshotDescription {
        let c = try storage.collection(name)
        Counter(label: "snapshot_created_total", dimensions: [("id", c.name)]).increment()
        let running = Gauge(label: "snapshot_creation_running", dimensions: [("id", c.name)])
        running.record(1)
        defer { running.record(0) }
        let scope = SnapshotScope.collection(c.name)
        return try storeArchive(scope: scope, name: uniqueName(scope, base: "\(c.name)-\(storage.peerID)"), operation: operation, annotation: annotation) { sink in
            _ = try storage.writeCollectionSnapshot(c.name, to: sink)
        }
    }

    /// Creates and stores a snapshot of one shard (`<c>-shard-<id>-<ts>.snapshot`).
    public func createShardSnapshot(
        _ collection: String, shard id: Int, operation: SnapshotOperation? = nil, annotation: SnapshotAnnotation? = nil
    ) throws -> SnapshotDescription {
        let c = try storage.collection(collection)
        _ = try storage.shard(c.name, id)
        let running = Gauge(label: "snapshot_creation_running", dimensions: [("id", c.name)])
        running.record(1)
        defer { running.record(0) }
        let scope = SnapshotScope.shard(collection: c.name, shard: id)
        return try storeArchive(scope: scope, name: uniqueName(scope, base: "\(c.name)-shard-\(id)"), operation: operation, annotation: annotation) { sink in
            _ = try storage.writeShardSnapshot(c.name, shard: id, to: sink)
        }
    }

    /// Creates and stores a full-storage snapshot (`full-snapshot-<ts>.snapshot`). Each collection
    /// counts as a collection snapshot in the metrics, as in Qdrant.
    public func createFullSnapshot(operation: SnapshotOperation? = nil, annotation: SnapshotAnnotation? = nil) throws -> SnapshotDescription {
        for name in storage.collectionNames() {
            Counter(label: "snapshot_created_total", dimensions: [("id", name)]).increment()
        }
        return try storeArchive(scope: .full, name: uniqueName(.full, base: "full-snapshot"), operation: operation, annotation: annotation) { sink in
            _ = try storage.writeFullSnapshot(to: sink)
        }
    }

    /// Recovers one shard from a shard snapshot stream; recoveries of one shard run one at a time.
    @discardableResult
    public func recoverShard(_ collection: String, shard id: Int, from source: any ByteSource, checksum: String?) throws -> ArchiveMetadata {
        try recoveries.serialized("\(collection)/\(id)") {
            try recovering(collection, "shard \(id) of collection \(collection)") {
                try withSource(source) { try storage.restoreShard(collection, shard: id, from: $0, checksum: checksum) }
            }
        }
    }

    public func list(_ scope: SnapshotScope) throws -> [SnapshotDescription] {
        try checkScope(scope)
        return try store.list(scope)
    }

    public func delete(_ scope: SnapshotScope, name: String) throws {
        try checkScope(scope)
        try store.delete(scope, name: name)
    }

    /// The snapshot's local file; throws when the store is not a local directory.
    public func localPath(_ scope: SnapshotScope, name: String) throws -> String {
        try checkScope(scope)
        guard let path = try store.localPath(scope, name: name) else {
            throw SnapshotError(.badInput, "snapshot \(name) is not stored on this machine")
        }
        return path
    }

    public func describe(_ scope: SnapshotScope, name: String) throws -> SnapshotDescription {
        try checkScope(scope)
        return try store.describe(scope, name: name)
    }

    /// A stored snapshot as a stream (a local file, or an S3 object streamed as it downloads).
    public func open(_ scope: SnapshotScope, name: String) throws -> any ByteSource {
        try checkScope(scope)
        return try store.open(scope, name: name)
    }

    /// Recovers collection `name` from an archive stream. Recoveries of one collection run one
    /// at a time; a second waits for the first.
    @discardableResult
    public func recoverCollection(_ name: String, from source: any ByteSource, checksum: String?) throws -> ArchiveMetadata {
        try recoveries.serialized(name) {
            try recovering(name, "collection \(name)") {
                try withSource(source) { try storage.restoreCollection(name, from: $0, checksum: checksum) }
            }
        }
    }

    /// Streams `source` into `recover`; when the source is a download (HTTP, S3) whose transfer failed,
    /// that failure (status, connection error) is reported rather than the truncated archive it
    /// caused.
    public func withSource<T>(_ source: any ByteSource, _ recover: (any ByteSource) throws -> T) throws -> T {
        guard let http = source as? any TransferSource else { return try recover(source) }
        let result: T
        do {
            result = try recover(http)
        } catch {
            try http.finish()
            throw error
        }
        try http.finish()
        return result
    }

    // MARK: helpers

    func checkScope(_ scope: SnapshotScope) throws {
        switch scope {
        case .full: return
        case .collection(let c): _ = try storage.collection(c)
        case .shard(let c, let id): _ = try storage.shard(c, id)
        }
    }

    /// Streams an archive into the store through a hashing sink, then commits it with its
    /// SHA-256; any failure aborts the upload, so nothing partial is left or listed.
    func storeArchive(
        scope: SnapshotScope, name: String, operation: SnapshotOperation? = nil, annotation: SnapshotAnnotation? = nil,
        _ write: (any ByteSink) throws -> Void
    ) throws -> SnapshotDescription {
        let started = ContinuousClock.now
        let upload = try store.beginUpload(scope, name: name)
        do {
            let hashing = HashingSink(upload.sink)
            // Building and streaming the archive yields the CPU and the disk to queries.
            let wrapped = try compression.wrap(wrapSink?(hashing) ?? hashing)
            try BackgroundPriority.run { try write(operation.map { $0.track(wrapped) } ?? wrapped) }
            try wrapped.close()  // ends a zstd frame; the tar writer has closed it already otherwise
            try hashing.close()
            try operation?.checkCancelled()  // a cancel seen before the commit keeps nothing
            var d = try upload.commit(sha256: hashing.finalizeHex())
            if let annotation, !annotation.isEmpty, annotate(scope, d.name, annotation) {
                (d.description, d.labels) = (annotation.description, annotation.labels)
            }
            storage.logger.info("snapshot created", metadata: [
                "scope": "\(scope)", "name": "\(name)", "bytes": "\(d.size)", "duration_ms": "\(SnapshotService.ms(since: started))",
            ])
            return d
        } catch {
            upload.abort()
            storage.logger.error("snapshot creation failed", metadata: ["scope": "\(scope)", "name": "\(name)", "error": "\(error)"])
            throw error
        }
    }

    /// Runs one recovery of `collection`: `snapshot_recovery_running` is 1 meanwhile, and the
    /// outcome is logged (what, kind, points, duration) or its failure.
    func recovering(_ collection: String, _ what: String, _ body: () throws -> ArchiveMetadata) throws -> ArchiveMetadata {
        let running = Gauge(label: "snapshot_recovery_running", dimensions: [("id", collection)])
        running.record(1)
        defer { running.record(0) }
        let started = ContinuousClock.now
        do {
            let meta = try body()
            storage.logger.info("snapshot recovered", metadata: [
                "target": "\(what)", "kind": "\(meta.kind.rawValue)", "points": "\(meta.points)",
                "duration_ms": "\(SnapshotService.ms(since: started))",
            ])
            return meta
        } catch {
            storage.logger.error("snapshot recovery failed", metadata: ["target": "\(what)", "error": "\(error)"])
            throw error
        }
    }

    /// Keeps `annotation` beside a stored snapshot, local or on S3 (another store keeps none).
    /// The snapshot is made by then, so a failure is logged, not thrown.
    func annotate(_ scope: SnapshotScope, _ name: String, _ annotation: SnapshotAnnotation) -> Bool {
        do {
            if let s3 = store as? S3SnapshotStore {
                try s3.annotate(scope, name: name, annotation)
                return true
            }
            guard let path = try store.localPath(scope, name: name) else {
                storage.logger.warning("snapshot description and labels are kept on local and S3 stores only", metadata: ["name": "\(name)"])
                return false
            }
            try annotation.write(beside: path)
            return true
        } catch {
            storage.logger.error("cannot keep the snapshot's description and labels", metadata: ["name": "\(name)", "error": "\(error)"])
            return false
        }
    }

    static func ms(since start: ContinuousClock.Instant) -> Int {
        Int((ContinuousClock.now - start).seconds * 1000)
    }

    /// `<base>-<UTC %Y-%m-%d-%H-%M-%S>.snapshot`; if that exists (two snapshots in one second),
    /// `…-<n>.snapshot` with the first free n, so a snapshot never replaces another.
    func uniqueName(_ scope: SnapshotScope, base: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd-HH-mm-ss"
        let stem = "\(base)-\(f.string(from: Date()))"
        let existing = Set(((try? store.list(scope)) ?? []).map(\.name))
        if !existing.contains(stem + ".snapshot") { return stem + ".snapshot" }
        var n = 1
        while existing.contains("\(stem)-\(n).snapshot") { n += 1 }
        return "\(stem)-\(n).snapshot"
    }
}

/// Per-target mutexes: recoveries of one collection (or shard) are serialized FIFO-ish.
final class RecoveryLocks: @unchecked Sendable {
    private let mutex = NSLock()
    private var locks: [String: NSLock] = [:]

    func serialized<T>(_ key: String, _ body: () throws -> T) throws -> T {
        let lock = mutex.withLock {
            if let l = locks[key] { return l }
            let l = NSLock()
            locks[key] = l
            return l
        }
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
