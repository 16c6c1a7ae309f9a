import Foundation

/// What the dashboard shows about backups, read only: every collection's stored snapshots with
/// whether a passing verification is recorded beside each, how often a schedule promises a new
/// one, and what each schedule's next prune would remove (`Pruner` in a dry run).
public struct BackupStatus: Codable, Sendable, Equatable {
    public struct Snapshot: Codable, Sendable, Equatable {
        public var name: String
        public var creation_time: String?
        public var size: Int64
        public var checksum: String?
        public var verified: Bool
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

    /// Reads the status of `service`'s store for `collections` and its registered schedules.
    public static func read(service: SnapshotService, collections: [String], now: Date = Date()) -> BackupStatus {
        let target = StorePruneTarget(store: service.store)
        let schedules = service.schedules.list().map(\.schedule)
        let rows = collections.map { name -> CollectionBackups in
            let scope = SnapshotScope.collection(name)
            var listError: String?
            let all: [SnapshotDescription]
            do { all = try service.store.list(scope) } catch {
                all = []
                listError = "\(error)"
            }
            let listed = all
                .map { d in (d, Pruner.time(of: d) ?? .distantPast) }
                .sorted { $0.1 > $1.1 }
            let snapshots = listed.map { d, _ in
                Snapshot(name: d.name, creation_time: d.creation_time, size: d.size, checksum: d.checksum,
                         verified: target.isVerified(scope, name: d.name))
            }
            let newestVerified = zip(snapshots, listed).first { $0.0.verified }.map { now.timeIntervalSince($0.1.1) }
            let interval = schedules.filter { $0.covers(name) }.compactMap { $0.interval(now: now) }.min()
            let stale = newestVerified.map { age in interval.map { age > 2 * $0 } ?? false } ?? true
            return CollectionBackups(name: name, snapshots: snapshots, promised_interval_s: interval,
                                     newest_verified_age_s: newestVerified, stale: stale, error: listError)
        }
        let prunes = schedules.map { s -> SchedulePrune in
            guard let keep = s.keep else { return SchedulePrune(schedule: s.name, decisions: [], error: nil) }
            do {
                let scopes: [SnapshotScope] = s.full == true ? [.full]
                    : collections.filter { s.covers($0) }.map { .collection($0) }
                let decisions = try Pruner(target: target, policy: keep).run(scopes: scopes, dryRun: true)
                return SchedulePrune(schedule: s.name, decisions: decisions, error: nil)
            } catch {
                return SchedulePrune(schedule: s.name, decisions: [], error: "\(error)")
            }
        }
        return BackupStatus(store: service.store is S3SnapshotStore ? "s3" : "local", collections: rows, schedules: prunes)
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
