import Engine
import Foundation

/// Where `qdb prune` works, and what it reports.
enum PruneTargets {
    /// A prune through a server (`--url`): `POST /snapshots/prune`, which runs the same engine
    /// under the same repository lock on the server's store; a held lock is 503 (exit 75).
    static func remote(
        _ client: RemoteClient, keep: RetentionPolicy, collections: [String], full: Bool, dryRun: Bool, lockWait: Double,
        leaseTTL: Double
    ) throws -> [PruneDecision] {
        struct Body: Encodable {
            var keep: RetentionPolicy
            var collections: [String]?
            var full: Bool
            var dry_run: Bool
            var lock_wait: Double
            var lease_ttl: Double
        }
        let body = Body(keep: keep, collections: collections.isEmpty ? nil : collections, full: full, dry_run: dryRun,
                        lock_wait: lockWait, lease_ttl: leaseTTL)
        let answer = try client.json("POST", "/snapshots/prune", body: Array(try JSONEncoder().encode(body)))
        return try RemoteSnapshotActions.decode([PruneDecision].self, answer)
    }

    /// node_exporter textfile metrics of one run.
    static func metrics(_ decisions: [PruneDecision], started: Date, dryRun: Bool) -> [MetricsTextfile.Sample] {
        var out: [MetricsTextfile.Sample] = []
        for scope in Set(decisions.map(\.scope)).sorted() {
            let of = decisions.filter { $0.scope == scope }
            out.append(.init("qdb_prune_kept_snapshots", ["scope": scope], Double(of.filter(\.keep).count), help: "Snapshots kept by the last prune"))
            out.append(.init("qdb_prune_removed_snapshots", ["scope": scope], Double(of.filter(\.removed).count), help: "Snapshots removed by the last prune"))
        }
        out.append(.init("qdb_prune_dry_run", [:], dryRun ? 1 : 0, help: "Whether the last prune was a dry run"))
        out.append(.init("qdb_prune_duration_seconds", [:], Date().timeIntervalSince(started), help: "Duration of the last prune"))
        out.append(.init("qdb_prune_last_success_timestamp_seconds", [:], Date().timeIntervalSince1970, help: "When the last prune succeeded"))
        return out
    }
}
