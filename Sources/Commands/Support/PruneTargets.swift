import Engine
import Foundation

/// Where `qdb prune` works, and what it reports.
enum PruneTargets {
    /// The target for `--url` (REST), `s3://` or a local directory, and the local directory to lock.
    static func make(_ target: TargetOptions) throws -> (any PruneTarget, String?) {
        if let remote = target.remote { return (RemotePruneTarget(client: remote), nil) }
        let store = try target.store()
        let root = (store as? LocalSnapshotStore)?.root
        if root == nil { printError("qdb: note: an S3 prefix is pruned without a lease; do not run two prunes on it at once") }
        return (StorePruneTarget(store: store), root)
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

/// A server's snapshots over REST (collections from `GET /collections`). No verification
/// records are visible over REST, so only the keep rules decide.
struct RemotePruneTarget: PruneTarget {
    let client: RemoteClient

    func scopes() throws -> [SnapshotScope] {
        struct Names: Decodable { struct C: Decodable { var name: String }; var collections: [C] }
        let names = try RemoteSnapshotActions.decode(Names.self, try client.json("GET", "/collections")).collections.map(\.name)
        return [.full] + names.sorted().map { .collection($0) }
    }

    func list(_ scope: SnapshotScope) throws -> [SnapshotDescription] {
        try RemoteSnapshotActions.decode([SnapshotDescription].self, try client.json("GET", RemoteSnapshotActions.base(scope)))
    }

    func delete(_ scope: SnapshotScope, name: String) throws {
        _ = try client.json("DELETE", RemoteSnapshotActions.base(scope) + "/" + RemoteClient.pathSegment(name) + "?wait=true")
    }

    func isVerified(_ scope: SnapshotScope, name: String) -> Bool { false }
}
