import Engine
import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

extension Router where Context == BasicRequestContext {
    /// Shard snapshots and full-storage snapshots.
    func addShardAndFullSnapshotRoutes(_ s: APIState) {
        let base: RouterPath = "/collections/:collection/shards/:shard"
        on("\(base)/snapshots", method: .get, state: s) { call in
            let sc = try call.shardScope()
            return try await call.respond { try s.snapshots.list(sc) }
        }
        on("\(base)/snapshots", method: .post, state: s) { call in
            let (c, id) = try call.shardTarget()
            let annotation = try call.annotation()
            return try await call.operation(.create_shard_snapshot, collection: c, shard: id, wait: try call.wait(default: true)) { op in
                try s.snapshots.createShardSnapshot(c, shard: id, operation: op, annotation: annotation)
            }
        }
        on("\(base)/snapshots/:name", method: .get, state: s) { call in
            let sc = try call.shardScope()
            let name = try call.parameter("name")
            return try await SnapshotDownload.response(s, sc, name: name, request: call.request)
        }
        on("\(base)/snapshots/:name", method: .delete, state: s) { call in
            let sc = try call.shardScope()
            let name = try call.parameter("name")
            return try await call.respondOrAccept(wait: try call.wait(default: true)) {
                try s.snapshots.delete(sc, name: name)
                return true
            }
        }
        on("\(base)/snapshots/recover", method: .put, state: s) { call in
            let (c, id) = try call.shardTarget()
            let body = try await call.body(SnapshotRecoverBody.self)  // location: an http(s) URL or a stored name
            try RecoverRequest.validate(priority: body.priority, checksum: body.checksum)
            let open: @Sendable () throws -> any ByteSource
            var kind = SnapshotOperation.Kind.url_recover
            var total: Int64?
            if body.location.contains("://") {
                open = try RecoverRequest.shardURLSource(location: body.location, apiKey: body.api_key, config: s.config)
            } else {
                let scope = SnapshotScope.shard(collection: c, shard: id)
                total = try await Blocking.run { try s.snapshots.describe(scope, name: body.location) }.size
                kind = .stored_recover
                open = { try s.snapshots.open(scope, name: body.location) }
            }
            return try await call.operation(kind, collection: c, shard: id, total: total, wait: try call.wait(default: true)) { op in
                try s.snapshots.recoverShard(c, shard: id, from: op.track(try open()), checksum: body.checksum)
                return true
            }
        }
        on("\(base)/snapshots/upload", method: .post, state: s) { call in
            let (c, id) = try call.shardTarget()
            let query = call.request.uri.queryParameters
            let checksum = query.get("checksum")
            try RecoverRequest.validate(priority: query.get("priority"), checksum: checksum)
            _ = try await Blocking.run { try s.snapshots.list(.shard(collection: c, shard: id)) }  // 404 before the body
            return try await call.recoverUpload(wait: try call.wait(default: true), collection: c, shard: id) { source -> JSONValue in
                try s.snapshots.recoverShard(c, shard: id, from: source, checksum: checksum)
                return .null
            }
        }
        on("\(base)/snapshot", method: .get, state: s) { call in
            let (c, id) = try call.shardTarget()
            _ = try await Blocking.run { try s.snapshots.list(.shard(collection: c, shard: id)) }  // 404 early, as JSON
            return try LiveStream.response(name: "\(c)-shard-\(id)-live.snapshot") { sink in
                _ = try s.storage.writeShardSnapshot(c, shard: id, to: sink)
            }
        }

        on("/snapshots", method: .get, state: s) { call in try await call.respond { try s.snapshots.list(.full) } }
        on("/snapshots", method: .post, state: s) { call in
            let annotation = try call.annotation()
            return try await call.operation(.create_full_snapshot, collection: nil, wait: try call.wait(default: true)) { op in
                try s.snapshots.createFullSnapshot(operation: op, annotation: annotation)
            }
        }
        on("/snapshots/:name", method: .get, state: s) { call in
            let name = try call.parameter("name")
            return try await SnapshotDownload.response(s, .full, name: name, request: call.request)
        }
        on("/snapshots/:name", method: .delete, state: s) { call in
            let name = try call.parameter("name")
            return try await call.respondOrAccept(wait: try call.wait(default: true)) {
                try s.snapshots.delete(.full, name: name)
                return true
            }
        }
    }
}

extension RecoverRequest {
    /// Where a shard recovery reads a URL location from: http(s) only (a shard's local snapshots
    /// are named by their stored name instead). Shared by the REST and gRPC recover calls.
    static func shardURLSource(location: String, apiKey: String?, config: ServeConfig) throws -> @Sendable () throws -> any ByteSource {
        if location.lowercased().hasPrefix("file:") {
            throw APIError(.badRequest, "Bad request: URLs with file scheme are not supported")
        }
        return try source(location: location, apiKey: apiKey, config: config)
    }
}

extension Call {
    /// The `{collection}` and `{shard}` path parameters.
    func shardTarget() throws -> (String, Int) {
        let raw = try parameter("shard")
        guard let id = Int(raw), id >= 0 else { throw APIError(.notFound, "Not found: shard \(raw) not found") }
        return (try parameter("collection"), id)
    }

    func shardScope() throws -> SnapshotScope {
        let (c, id) = try shardTarget()
        return .shard(collection: c, shard: id)
    }
}

/// A response body produced by a blocking archive writer: the writer runs on the engine queue
/// into a pipe, and the response reads the pipe in 1 MiB chunks (chunked transfer, no
/// Content-Length). Back-pressure is the pipe's: the writer blocks while the client is slow.
enum LiveStream {
    static func response(name: String, _ write: @escaping @Sendable (any ByteSink) throws -> Void) throws -> Response {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SnapshotError(.io, "cannot create a pipe for the live snapshot") }
        let (readFD, writeFD) = (fds[0], fds[1])
        Blocking.queue.async {
            let sink = FileDescriptorSink(fd: writeFD, ownsDescriptor: true)
            do { try write(sink) } catch { /* the reader sees a short stream and aborts the response */ }
            try? sink.close()
        }
        let headers: HTTPFields = [.contentType: "application/octet-stream", .contentDisposition: "attachment; filename=\"\(name)\""]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { close(readFD) }
            while true {
                let chunk = try await Blocking.run { () -> ByteBuffer in
                    var buf = ByteBuffer()
                    _ = buf.writeWithUnsafeMutableBytes(minimumWritableBytes: 1 << 20) { raw in
                        max(0, read(readFD, raw.baseAddress, 1 << 20))
                    }
                    return buf
                }
                if chunk.readableBytes == 0 { break }
                try await writer.write(chunk)
            }
            try await writer.finish(nil)
        })
    }
}
