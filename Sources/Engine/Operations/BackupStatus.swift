import Foundation

/// What the dashboard shows about backups, read only: every collection's (and shard's) stored
/// snapshots, each with where it is stored and whether a passing verification is recorded beside
/// it, how often a schedule promises a new one, and what each schedule's next prune would remove
/// (`Pruner` in a dry run).
public struct BackupStatus: Codable, Sendable, Equatable {
    public struct Snapshot: Codable, Sendable, Equatable {
        public var name: String
        public var creation_time: String?
        public var size: Int64
        public var checksum: String?
        public var verified: Bool
        /// Where this snapshot is stored: `local` or `s3`.
        public var location: String
    }

    /// One shard's snapshots (newest first).
    public struct ShardBackups: Codable, Sendable, Equatable {
        public var shard_id: Int
        public var snapshots: [Snapshot]
        public var error: String?
    }

    public struct CollectionBackups: Codable, Sendable, Equatable {
        public var name: String
        /// Newest first.
        public var snapshots: [Snapshot]
        /// The shortest interval of the schedules covering this collection (seconds), if any.
        public var promised_interval_s: Double?
        /// Age of the newest verified snapshot in seconds (nil: none is verified).
        public var newest_verified_age_s: Double?
        /// True when no verified snapshot exists, or when one schedule run was missed:
        /// the newest verified one is older than twice the promised interval.
        public var stale: Bool
        /// Why the snapshots could not be listed (then `snapshots` is empty).
        public var error: String?
        /// Each shard's own snapshots.
        public var shards: [ShardBackups]
    }

    public struct SchedulePrune: Codable, Sendable, Equatable {
        public var schedule: String
        /// The dry-run decisions of the schedule's next prune (empty without `keep`).
        public var decisions: [PruneDecision]
        public var error: String?
    }

    /// `local` or `s3`: where the snapshots are stored.
    public var store: String
    public var collections: [CollectionBackups]
    public var schedules: [SchedulePrune]
    /// Full-storage snapshots (newest first), and why they could not be listed.
    public var full_snapshots: [Snapshot]
    public var full_error: String?

    /// Reads the status of `service`'s store for `collections` (with the shard ids of each, from
    /// `shards`) and its registered schedules. With an S3 store, each scope costs one LIST and the
    /// small `.checksum` / `.verification.json` objects are fetched only when the LIST shows them
    /// new or changed (`cache`); the schedules' dry-run prunes reuse the same listing.
    public static func read(
        service: SnapshotService, collections: [String], shards: (String) -> [Int] = { _ in [] },
        cache: BackupStatusCache = .shared, now: Date = Date()
    ) -> BackupStatus {
        let reader = StatusReader(store: service.store, cache: cache)
        let schedules = service.schedules.list().map(\.schedule)
        let rows = collections.map { name -> CollectionBackups in
            let (snapshots, listError) = reader.snapshots(.collection(name))
            let newestVerified = snapshots.first { $0.verified }.map { now.timeIntervalSince(reader.time(of: $0)) }
            let interval = schedules.filter { $0.covers(name) }.compactMap { $0.interval(now: now) }.min()
            let stale = newestVerified.map { age in interval.map { age > 2 * $0 } ?? false } ?? true
            let shardRows = shards(name).map { id -> ShardBackups in
                let (list, error) = reader.snapshots(.shard(collection: name, shard: id))
                return ShardBackups(shard_id: id, snapshots: list, error: error)
            }
            return CollectionBackups(name: name, snapshots: snapshots, promised_interval_s: interval,
                                     newest_verified_age_s: newestVerified, stale: stale, error: listError, shards: shardRows)
        }
        let prunes = schedules.map { s -> SchedulePrune in
            guard let keep = s.keep else { return SchedulePrune(schedule: s.name, decisions: [], error: nil) }
            do {
                let scopes: [SnapshotScope] = s.full == true ? [.full]
                    : collections.filter { s.covers($0) }.map { .collection($0) }
                let decisions = try Pruner(target: reader, policy: keep).run(scopes: scopes, dryRun: true)
                return SchedulePrune(schedule: s.name, decisions: decisions, error: nil)
            } catch {
                return SchedulePrune(schedule: s.name, decisions: [], error: "\(error)")
            }
        }
        let (full, fullError) = reader.snapshots(.full)
        return BackupStatus(store: reader.location, collections: rows, schedules: prunes, full_snapshots: full, full_error: fullError)
    }
}

/// Lists scopes for the status page (once per scope and read), and serves the dry-run prunes from
/// those listings: a `PruneTarget` whose `delete` refuses, since a dry run never deletes.
final class StatusReader: PruneTarget, @unchecked Sendable {
    let store: any SnapshotStore
    let cache: BackupStatusCache
    let local: StorePruneTarget
    let location: String
    private var listed: [String: [BackupStatus.Snapshot]] = [:]

    init(store: any SnapshotStore, cache: BackupStatusCache) {
        self.store = store
        self.cache = cache
        local = StorePruneTarget(store: store)
        location = store is S3SnapshotStore ? "s3" : "local"
    }

    /// The scope's snapshots, newest first, or an empty list and the listing's error.
    func snapshots(_ scope: SnapshotScope) -> ([BackupStatus.Snapshot], String?) {
        do { return (try listing(scope), nil) } catch { return ([], "\(error)") }
    }

    func time(of s: BackupStatus.Snapshot) -> Date {
        Pruner.time(of: SnapshotDescription(name: s.name, creation_time: s.creation_time, size: s.size, checksum: s.checksum)) ?? .distantPast
    }

    private func listing(_ scope: SnapshotScope) throws -> [BackupStatus.Snapshot] {
        if let hit = listed[scope.description] { return hit }
        let list: [BackupStatus.Snapshot]
        if let s3 = store as? S3SnapshotStore {
            list = try cache.list(s3, scope)
        } else {
            list = try store.list(scope).map { d in
                BackupStatus.Snapshot(name: d.name, creation_time: d.creation_time, size: d.size, checksum: d.checksum,
                                      verified: local.isVerified(scope, name: d.name), location: location)
            }
        }
        let sorted = list.map { ($0, time(of: $0)) }.sorted { $0.1 > $1.1 }.map(\.0)
        listed[scope.description] = sorted
        return sorted
    }

    func scopes() throws -> [SnapshotScope] { try local.scopes() }

    func list(_ scope: SnapshotScope) throws -> [SnapshotDescription] {
        try listing(scope).map { SnapshotDescription(name: $0.name, creation_time: $0.creation_time, size: $0.size, checksum: $0.checksum) }
    }

    func delete(_ scope: SnapshotScope, name: String) throws {
        throw OperationError(.badInput, "the status page never deletes (dry run)")
    }

    func isVerified(_ scope: SnapshotScope, name: String) -> Bool {
        (try? listing(scope))?.first { $0.name == name }?.verified ?? false
    }
}

/// The small S3 objects beside snapshots (`.checksum`, `.verification.json`), kept between
/// status reads and fetched again only when a LIST shows a different size or modification time.
public final class BackupStatusCache: @unchecked Sendable {
    public static let shared = BackupStatusCache()
    /// Entries kept at most; past it the cache starts over (a status read refills what it needs).
    static let capacity = 50_000
    private let lock = NSLock()
    private var objects: [String: (stamp: String, bytes: [UInt8]?)] = [:]
    /// GETs made so far (for tests: a repeated read of unchanged snapshots makes none).
    public private(set) var fetches = 0

    public init() {}

    /// One LIST of the scope; the checksum and verification record of each snapshot from the cache.
    func list(_ s3: S3SnapshotStore, _ scope: SnapshotScope) throws -> [BackupStatus.Snapshot] {
        let prefix = s3.prefix(scope)
        let objects = try s3.client.list(prefix: prefix, delimiter: "/")
        let byKey = Dictionary(objects.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        return objects.filter { $0.key.hasSuffix(".snapshot") }.map { o in
            let checksum = byKey[o.key + ".checksum"].flatMap { small(s3.client, $0) }
                .map { String(decoding: $0, as: UTF8.self) }
                .flatMap { SHA256Hasher.isValidChecksum($0) ? $0.lowercased() : nil }
            let record = byKey[o.key + VerificationRecord.suffix].flatMap { small(s3.client, $0) }
                .flatMap { VerificationRecord.decode($0, matching: checksum) }
            return BackupStatus.Snapshot(
                name: String(o.key.dropFirst(prefix.count)), creation_time: S3XML.creationTime(o.lastModified), size: o.size,
                checksum: checksum, verified: record?.ok == true, location: "s3")
        }
    }

    private func small(_ client: S3Client, _ object: S3Object) -> [UInt8]? {
        let stamp = "\(object.size) \(object.lastModified)"
        if let hit = lock.withLock({ objects[object.key] }), hit.stamp == stamp { return hit.bytes }
        let bytes = (try? client.getSmallObject(object.key)) ?? nil
        lock.withLock {
            if objects.count >= Self.capacity { objects.removeAll(keepingCapacity: true) }
            objects[object.key] = (stamp, bytes)
            fetches += 1
        }
        return bytes
    }
}

extension SnapshotSchedule {
    /// Whether a run snapshots collection `name`.
    public func covers(_ name: String) -> Bool {
        full != true && (collections ?? []).contains { $0 == "*" || $0 == name }
    }

    /// Seconds between two runs: `every`, or the gap between the cron's next two matches.
    public func interval(now: Date) -> Double? {
        if let every { return SnapshotSchedule.parseDuration(every) }
        guard let cron, let expr = try? CronExpression(cron), let a = expr.next(after: now), let b = expr.next(after: a)
        else { return nil }
        return b.timeIntervalSince(a).rounded()  // cron matches whole minutes
    }
}
