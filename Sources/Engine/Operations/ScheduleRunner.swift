import Foundation
import Logging
import Metrics

/// Runs `storage.snapshots_config.schedules` inside `qdb serve`. Each schedule has its own
/// thread and runs strictly one run at a time, so it never overlaps itself; a slot missed
/// while a run was still going is skipped, not queued. A failed run is retried `retries`
/// times with exponential backoff (1 s, 2 s, 4 s … at most 60 s) before it waits for the next
/// slot. Every create is a registered operation; each run updates, per schedule (label
/// `schedule`), `qdb_schedule_last_success_timestamp_seconds`, `qdb_schedule_last_duration_seconds`,
/// `qdb_schedule_last_bytes`, `qdb_schedule_failures_total`, `qdb_schedule_next_run_timestamp_seconds`,
/// and logs its outcome. Pruning holds the local directory's lock or the S3 prefix's lease.
public final class ScheduleRunner: @unchecked Sendable {
    public let service: SnapshotService
    public let schedules: [SnapshotSchedule]
    let logger: Logger
    let scratch: String
    private let cond = NSCondition()
    private var stopped = false
    private let group = DispatchGroup()

    /// The schedules' states go to `service.schedules` (`GET /schedules`).
    public init(service: SnapshotService, schedules: [SnapshotSchedule], logger: Logger, scratch: String) {
        self.service = service
        self.schedules = schedules
        self.logger = logger
        self.scratch = scratch
        service.schedules.register(schedules)
    }

    /// Starts one thread per schedule.
    public func start() {
        for schedule in schedules {
            group.enter()
            let t = Thread { [self] in
                defer { group.leave() }
                loop(schedule)
            }
            t.name = "qdb-schedule-\(schedule.name)"
            t.start()
        }
    }

    /// Stops the schedules: waiting threads end at once, a run in progress is finished first.
    public func stop() {
        cond.withLock {
            stopped = true
            cond.broadcast()
        }
        group.wait()
    }

    /// Sleeps until `date` or until stopped; returns false when stopped.
    private func sleep(until date: Date) -> Bool {
        cond.withLock {
            while !stopped, Date() < date { _ = cond.wait(until: date) }
            return !stopped
        }
    }

    private func update(_ name: String, _ change: (inout ScheduleState) -> Void) {
        service.schedules.update(name, change)
    }

    private func loop(_ schedule: SnapshotSchedule) {
        var lastStart: Date?
        let jitter = schedule.jitter.flatMap(SnapshotSchedule.parseDuration) ?? 0
        while true {
            let next: Date
            do {
                next = try schedule.nextRun(after: lastStart, now: Date()).addingTimeInterval(jitter > 0 ? Double.random(in: 0...jitter) : 0)
            } catch {
                logger.error("schedule stopped", metadata: ["schedule": "\(schedule.name)", "error": "\(error)"])
                return
            }
            update(schedule.name) { $0.next_run = OperationInfo.timestamp(next) }
            Gauge(label: "qdb_schedule_next_run_timestamp_seconds", dimensions: [("schedule", schedule.name)]).record(next.timeIntervalSince1970)
            guard sleep(until: next) else { return }
            lastStart = Date()
            runWithRetries(schedule)
        }
    }

    private func runWithRetries(_ schedule: SnapshotSchedule) {
        let attempts = (schedule.retries ?? 3) + 1
        for attempt in 0..<attempts {
            let started = ContinuousClock.now
            update(schedule.name) { $0.running = true }
            do {
                let result = try run(schedule)
                let seconds = (ContinuousClock.now - started).seconds
                update(schedule.name) {
                    $0.running = false
                    $0.last_success = OperationInfo.timestamp(Date())
                    $0.last_duration_s = seconds
                    $0.last_bytes = result.bytes
                    $0.last_error = nil
                    $0.runs += 1
                }
                Gauge(label: "qdb_schedule_last_success_timestamp_seconds", dimensions: [("schedule", schedule.name)]).record(Date().timeIntervalSince1970)
                Gauge(label: "qdb_schedule_last_duration_seconds", dimensions: [("schedule", schedule.name)]).record(seconds)
                Gauge(label: "qdb_schedule_last_bytes", dimensions: [("schedule", schedule.name)]).record(Double(result.bytes))
                logger.info("scheduled snapshots done", metadata: [
                    "schedule": "\(schedule.name)", "snapshots": "\(result.snapshots.joined(separator: ","))", "bytes": "\(result.bytes)",
                    "removed": "\(result.removed)", "duration_ms": "\(Int(seconds * 1000))",
                ])
                return
            } catch {
                Counter(label: "qdb_schedule_failures_total", dimensions: [("schedule", schedule.name)]).increment()
                update(schedule.name) {
                    $0.running = false
                    $0.failures += 1
                    $0.last_error = "\(error)"
                }
                let retry = attempt + 1 < attempts
                logger.error("scheduled snapshot run failed", metadata: [
                    "schedule": "\(schedule.name)", "attempt": "\(attempt + 1)", "error": "\(error)", "retry": "\(retry)",
                ])
                guard retry, sleep(until: Date().addingTimeInterval(min(60, pow(2, Double(attempt))))) else { return }
            }
        }
    }

    struct RunResult {
        var snapshots: [String] = []
        var bytes: Int64 = 0
        var removed = 0
    }

    /// One run: create every scope's snapshot, deep-verify it, then prune the scope.
    private func run(_ schedule: SnapshotSchedule) throws -> RunResult {
        let scopes: [SnapshotScope]
        if schedule.full == true {
            scopes = [.full]
        } else {
            let names = schedule.collections ?? []
            scopes = (names.contains("*") ? service.storage.collectionNames().sorted() : names).map { .collection($0) }
        }
        var result = RunResult()
        for scope in scopes {
            let d = try create(scope)
            result.snapshots.append(d.name)
            result.bytes += d.size
            if schedule.verify == true { try verify(scope, d) }
            if let keep = schedule.keep { result.removed += try prune(scope, keep) }
        }
        return result
    }

    private func create(_ scope: SnapshotScope) throws -> SnapshotDescription {
        let registry = service.operations
        switch scope {
        case .full:
            return try registry.run(registry.start(.create_full_snapshot, collection: nil)) { try service.createFullSnapshot(operation: $0) }
        case .collection(let c):
            return try registry.run(registry.start(.create_collection_snapshot, collection: c)) { try service.createCollectionSnapshot(c, operation: $0) }
        case .shard(let c, let id):
            return try registry.run(registry.start(.create_shard_snapshot, collection: c, shard: id)) { try service.createShardSnapshot(c, shard: id, operation: $0) }
        }
    }

    /// Deep-verifies a stored snapshot; the result is recorded beside it (a file, or an S3
    /// object `<key>.verification.json`), and a failure fails the run.
    private func verify(_ scope: SnapshotScope, _ d: SnapshotDescription) throws {
        let path = try service.store.localPath(scope, name: d.name)
        let report = SnapshotVerifier.verify(
            try service.open(scope, name: d.name), name: d.name, expectedChecksum: d.checksum, deep: true, scratch: scratch,
            localFile: path)
        let record = VerificationRecord(ok: report.ok, deep: true, sha256: report.sha256, error: report.error)
        if let path {
            try record.write(beside: path)
        } else if let s3 = service.store as? S3SnapshotStore {
            try s3.client.putObject(try s3.key(scope, name: d.name) + VerificationRecord.suffix, try record.encoded(), contentType: "application/json")
        }
        guard report.ok else { throw SnapshotError(.corrupt, "snapshot \(d.name) failed verification: \(report.error ?? "unknown")") }
    }

    private func prune(_ scope: SnapshotScope, _ keep: RetentionPolicy) throws -> Int {
        try Pruner.guarded(store: service.store, policy: keep, scopes: [scope], dryRun: false, purpose: "qdb serve schedule", wait: .seconds(30))
            .filter(\.removed).count
    }
}

/// The schedules' states, shared between their runner and whoever reports on them.
public final class ScheduleBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var order: [String] = []
    private var states: [String: ScheduleState] = [:]

    public init() {}

    func register(_ schedules: [SnapshotSchedule]) {
        lock.withLock {
            for s in schedules where states[s.name] == nil {
                order.append(s.name)
                states[s.name] = ScheduleState(schedule: s)
            }
        }
    }

    func update(_ name: String, _ change: (inout ScheduleState) -> Void) {
        lock.withLock { if states[name] != nil { change(&states[name]!) } }
    }

    /// Every schedule's state, in configuration order.
    public func list() -> [ScheduleState] {
        lock.withLock { order.compactMap { states[$0] } }
    }
}

/// One schedule as `GET /schedules` reports it: its settings, next run and last outcome.
public struct ScheduleState: Codable, Sendable, Equatable {
    public var name: String
    public var schedule: SnapshotSchedule
    public var next_run: String?
    public var running = false
    public var runs = 0
    public var failures = 0
    public var last_success: String?
    public var last_duration_s: Double?
    public var last_bytes: Int64?
    public var last_error: String?

    init(schedule: SnapshotSchedule) {
        name = schedule.name
        self.schedule = schedule
    }
}
