import Engine
import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

extension Router where Context == BasicRequestContext {
    /// Partial (incremental) shard snapshots: manifest, create, recover, recover_from (reference §3).
    func addPartialSnapshotRoutes(_ s: APIState) {
        let base: RouterPath = "/collections/:collection/shards/:shard/snapshot/partial"
        on("\(base)/manifest", method: .get, state: s) { call in
            let (c, id) = try call.shardTarget()
            return try await call.respond { try s.storage.shardManifest(c, shard: id) }
        }
        on("\(base)/create", method: .post, state: s) { call in
            let (c, id) = try call.shardTarget()
            var req = call.request
            let buffer = try await req.collectBody(upTo: s.maxBodyBytes)
            let partial = try await Blocking.run { () -> PartialSnapshot in
                let bytes = buffer.readableBytes == 0 ? Array("{}".utf8) : Array(buffer.readableBytesView)
                return try s.storage.preparePartialSnapshot(c, shard: id, against: try SnapshotManifest.parse(bytes))
            }
            guard !partial.isEmpty else {
                // Qdrant's EmptyPartialSnapshot: 304 carries no body.
                return Response(status: .notModified)
            }
            return try LiveStream.response(name: "\(partial.collection)-shard-\(id)-partial.snapshot") { sink in
                try partial.write(to: sink)
            }
        }
        on("\(base)/recover", method: .post, state: s) { call in
            let (c, id) = try call.shardTarget()
            let query = call.request.uri.queryParameters
            let checksum = query.get("checksum")
            try RecoverRequest.validate(priority: query.get("priority"), checksum: checksum)
            _ = try await Blocking.run { try s.storage.shardManifest(c, shard: id) }  // 404 before the body
            return try await call.recoverUpload(wait: try call.wait(default: true), kind: .partial_recover, collection: c, shard: id) { source -> JSONValue in
                try s.snapshots.recoverPartial(c, shard: id, from: source, checksum: checksum)
                return .null
            }
        }
        on("\(base)/recover_from", method: .post, state: s) { call in
            let (c, id) = try call.shardTarget()
            let body: PartialRecoverFromBody
            do { body = try await call.body(PartialRecoverFromBody.self) } catch let e as DecodingError {
                throw APIError(.badRequest, "Format error in JSON body: \(e)")
            }
            guard let url = URL(string: body.peer_url), let scheme = url.scheme?.lowercased(), url.host != nil else {
                throw APIError(.badRequest, "Bad request: peer_url `\(body.peer_url)` is not a URL")
            }
            guard scheme == "http" || scheme == "https" else {
                throw APIError(.badRequest, "Bad request: peer_url must be http:// or https://")
            }
            guard s.config.enableSnapshotURLRecovery else {
                throw APIError(.forbidden, "Forbidden: Snapshot recovery from remote URLs is disabled in the configuration")
            }
            _ = try await Blocking.run { try s.storage.shardManifest(c, shard: id) }  // 404 early
            return try await call.operation(.recover_from, collection: c, shard: id, wait: try call.wait(default: true)) { op in
                try s.snapshots.recoverPartial(c, shard: id, fromPeer: body.peer_url, apiKey: body.api_key, operation: op)
            }
        }
    }
}

/// `POST …/snapshot/partial/recover_from`.
struct PartialRecoverFromBody: Decodable, Sendable {
    var peer_url: String
    var api_key: String?
}
