import Engine
import Foundation

/// Where `qdb prune` works, and what it reports.
enum PruneTargets {
    /// What keeps two prunes of one repository apart: a lock file, or an S3 lease.
    enum Guard {
        case none
        case local(String)
        case s3(S3SnapshotStore)

        /// Takes the lock or lease; the returned closure releases it; `fence` checks it.
        func acquire(wait: Double, ttl: Double) throws -> (release: () -> Void, fence: (() throws -> Void)?) {
            switch self {
            case .none: return ({}, nil)
            case .local(let root):
                let lock = try RepositoryLock.acquire(root: root, purpose: "qdb prune", wait: .seconds(wait))
                return ({ lock.release() }, nil)
            case .s3(let store):
                let lease = try S3Lease.acquire(store: store, purpose: "qdb prune", ttl: ttl, wait: .seconds(wait))
                return ({ lease.release() }, { try lease.check() })
            }
        }
    }

    /// The target for `--url` (REST), `s3://` or a local directory, and how it is guarded.
    static func make(_ target: TargetOptions) throws -> (any PruneTarget, Guard) {
        if let remote = target.remote { return (RemotePruneTarget(client: remote), .none) }
        let store = try target.store()
        if let s3 = store as? S3SnapshotStore { return (StorePruneTarget(store: store), .s3(s3)) }
        return (StorePruneTarget(store: store), (store as? LocalSnapshotStore).map { .local($0.root) } ?? .none)
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
