import Engine
import Foundation
import Hummingbird

/// `POST /snapshots/prune` (a qdb extension): retention over the server's snapshot store, what
/// `qdb prune --url` sends. It runs the same engine as a local `qdb prune`, holding the same
/// repository lock (local `.qdb-lock`, S3 lease), so a prune through the server, one on the
/// directory and a schedule's prune never interleave; a live holder past `lock_wait` seconds is
/// 503 naming it (the CLI's exit 75). The server sees verification records, so the newest
/// verified snapshot is kept as locally.
struct PruneBody: Decodable, Sendable {
    var keep: RetentionPolicy
    /// Collections to prune (default: every scope of the store).
    var collections: [String]?
    /// With `collections`: the full-storage snapshots too.
    var full: Bool?
    var dry_run: Bool?
    var lock_wait: Double?
    var lease_ttl: Double?

    var scopes: [SnapshotScope]? {
        guard let collections, !collections.isEmpty else { return nil }
        return collections.map { .collection($0) } + (full == true ? [.full] : [])
    }

    func validate() throws {
        guard (0...600).contains(lock_wait ?? 0) else { throw APIError(.badRequest, "Wrong input: lock_wait must be between 0 and 600 seconds") }
        guard (1...3600).contains(lease_ttl ?? 30) else { throw APIError(.badRequest, "Wrong input: lease_ttl must be between 1 and 3600 seconds") }
    }
}

extension Router where Context == BasicRequestContext {
    func addPruneRoute(_ s: APIState) {
        on("/snapshots/prune", method: .post, state: s) { call in
            let body = try await call.body(PruneBody.self)
            try body.validate()
            return try await call.respond {
                try Pruner.guarded(
                    store: s.snapshots.store, policy: body.keep, scopes: body.scopes, dryRun: body.dry_run ?? false,
                    purpose: "qdb serve prune", wait: .seconds(body.lock_wait ?? 0), leaseTTL: body.lease_ttl ?? 30)
            }
        }
    }
}
