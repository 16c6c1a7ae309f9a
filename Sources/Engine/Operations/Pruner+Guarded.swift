import Foundation

extension Pruner {
    /// Prunes `store` holding its repository lock: the local directory's `.qdb-lock` or the S3
    /// prefix's lease (its fencing token checked before every delete). One lock for every
    /// prune of a repository — `qdb prune` on the directory, `qdb prune --url` through the
    /// server, a schedule's prune — so two never interleave.
    /// - Parameters:
    ///   - purpose: recorded in the lock (`qdb serve prune`, …) and named to a waiting holder.
    ///   - wait: how long a live holder is waited for before `OperationError(.locked)` naming it.
    /// - Throws: `OperationError(.locked)` when the lock stays held; `.badInput` for an empty
    ///   or invalid policy; the store's errors.
    public static func guarded(
        store: any SnapshotStore, policy: RetentionPolicy, scopes: [SnapshotScope]?, dryRun: Bool,
        purpose: String, wait: Duration, leaseTTL: Double = 30
    ) throws -> [PruneDecision] {
        let target = StorePruneTarget(store: store)
        let pruner = try Pruner(target: target, policy: policy)
        let lock = try target.root.map { try RepositoryLock.acquire(root: $0, purpose: purpose, wait: wait) }
        defer { lock?.release() }
        let lease = try (store as? S3SnapshotStore).map { try S3Lease.acquire(store: $0, purpose: purpose, ttl: leaseTTL, wait: wait) }
        defer { lease?.release() }
        return try pruner.run(scopes: scopes, dryRun: dryRun, fence: lease.map { l in { try l.check() } })
    }
}
