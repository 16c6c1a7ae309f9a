import ArgumentParser
import Engine
import Foundation

/// `qdb prune`: retention over stored snapshots, restic-style.
struct Prune: QDBCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove old snapshots by keep rules (restic-style), per collection.",
        discussion: HelpText.discussion("""
            Works on a snapshots directory (--snapshots-path, default ./snapshots), an S3 prefix
            (--snapshots-path s3://BUCKET/PREFIX, collections named) or a server (--url). Each
            collection, shard and the full snapshots are pruned on their own. A snapshot is kept
            when any rule keeps it; the newest snapshot with a passing verification record
            (qdb verify --record) is never removed. Times come from the names (UTC).

            A local directory is locked while prune runs (file .qdb-lock with the holder's pid,
            host and start time); an S3 prefix is leased (object .qdb-lease with a fencing token
            checked before every delete, renewed by a heartbeat, expiring after --lease-ttl). A
            live holder makes prune wait --lock-wait seconds and then exit 75 naming it; a dead
            holder's lock is taken over (at once, or once its lease expired). With --url the
            server prunes its own store under the same lock or lease (POST /snapshots/prune).
            """, examples: """
            qdb prune --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --dry-run --json
            qdb prune products --url $QDB_URL --keep-last 3
            qdb prune --snapshots-path /backups --keep-within 2d --keep-monthly 6
            """))

    @Argument(help: "Collections to prune (default: every collection found).", completion: CollectionCompletion.kind)
    var collections: [String] = []
    @Flag(name: .customLong("full"), help: "With named collections: prune full-storage snapshots too.") var full = false
    @OptionGroup var keep: KeepOptions
    @Flag(name: .customLong("dry-run"), help: "Decide and print, remove nothing.") var dryRun = false
    @Option(name: .customLong("lock-wait"), help: "Seconds to wait for a held lock before exit 75 (default 0).") var lockWait = 0.0
    @Option(name: .customLong("lease-ttl"), help: "Seconds an S3 lease lasts without its heartbeat (default 30).") var leaseTTL = 30.0
    @Option(name: .customLong("metrics-textfile"), help: "Write Prometheus metrics of the run to PATH (node_exporter's textfile collector).")
    var metricsTextfile: String?
    @OptionGroup var target: TargetOptions
    @OptionGroup var out: OutputOptions

    func validate() throws {
        guard lockWait >= 0 else { throw ValidationError("--lock-wait must be ≥ 0") }
        guard leaseTTL >= 1, leaseTTL <= 3600 else { throw ValidationError("--lease-ttl must be between 1 and 3600 seconds") }
    }

    func execute() async throws {
        let started = Date()
        let decisions: [PruneDecision]
        if let remote = target.remote {
            decisions = try PruneTargets.remote(
                remote, keep: keep.policy, collections: collections, full: full, dryRun: dryRun, lockWait: lockWait, leaseTTL: leaseTTL)
        } else {
            var scopes: [SnapshotScope]? = collections.isEmpty ? nil : collections.map { .collection($0) }
            if full, scopes != nil { scopes?.append(.full) }
            decisions = try Pruner.guarded(
                store: try target.store(), policy: keep.policy, scopes: scopes, dryRun: dryRun, purpose: "qdb prune",
                wait: .seconds(lockWait), leaseTTL: leaseTTL)
        }
        if let metricsTextfile {
            try MetricsTextfile.write(metricsTextfile, PruneTargets.metrics(decisions, started: started, dryRun: dryRun))
        }
        try out.emit(decisions, text: decisions.map { d in
            "\(d.keep ? "keep" : (dryRun ? "would-remove" : "removed"))\t\(d.scope)\t\(d.name)\t\(d.reasons.joined(separator: ","))"
        }.joined(separator: "\n"))
    }
}

/// `--keep-*`, shared by prune and (as YAML keys) by schedules.
struct KeepOptions: ParsableArguments {
    @Option(name: .customLong("keep-last"), help: "Keep the N newest snapshots.") var last: Int?
    @Option(name: .customLong("keep-hourly"), help: "Keep the newest of each of the last N hours with one.") var hourly: Int?
    @Option(name: .customLong("keep-daily"), help: "Keep the newest of each of the last N days with one.") var daily: Int?
    @Option(name: .customLong("keep-weekly"), help: "Keep the newest of each of the last N ISO weeks with one.") var weekly: Int?
    @Option(name: .customLong("keep-monthly"), help: "Keep the newest of each of the last N months with one.") var monthly: Int?
    @Option(name: .customLong("keep-yearly"), help: "Keep the newest of each of the last N years with one.") var yearly: Int?
    @Option(name: .customLong("keep-within"), help: "Keep all made within DURATION (1y2m3d4h) of the newest.") var within: String?

    var policy: RetentionPolicy {
        RetentionPolicy(last: last, hourly: hourly, daily: daily, weekly: weekly, monthly: monthly, yearly: yearly, within: within)
    }
}
