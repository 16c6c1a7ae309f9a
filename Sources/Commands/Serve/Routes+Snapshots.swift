import Engine
import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

/// `PUT …/snapshots/recover` body (Qdrant's `SnapshotRecover`; the shard route's
/// `ShardSnapshotRecover` has the same fields, with `location` also a bare stored name).
struct SnapshotRecoverBody: Decodable {
    var location: String
    var priority: String?
    var checksum: String?
    var api_key: String?
}

extension Router where Context == BasicRequestContext {
    /// Collection snapshots: create, list, download, delete, recover.
    func addSnapshotRoutes(_ s: APIState) {
        on("/collections/:collection/snapshots", method: .get, state: s) { call in
            let c = try call.parameter("collection")
            return try await call.respond { try s.snapshots.list(.collection(c)) }
        }
        on("/collections/:collection/snapshots", method: .post, state: s) { call in
            let c = try call.parameter("collection")
            let annotation = try call.annotation()
            return try await call.operation(.create_collection_snapshot, collection: c, wait: try call.wait(default: true)) { op in
                try s.snapshots.createCollectionSnapshot(c, operation: op, annotation: annotation)
            }
        }
        on("/collections/:collection/snapshots/:name", method: .get, state: s) { call in
            let c = try call.parameter("collection")
            let name = try call.parameter("name")
            return try await SnapshotDownload.response(s, .collection(c), name: name, request: call.request)
        }
        on("/collections/:collection/snapshots/:name", method: .delete, state: s) { call in
            let c = try call.parameter("collection")
            let name = try call.parameter("name")
            return try await call.respondOrAccept(wait: try call.wait(default: true)) {
                try s.snapshots.delete(.collection(c), name: name)
                return true
            }
        }
        on("/collections/:collection/snapshots/recover", method: .put, state: s) { call in
            let c = try call.parameter("collection")
            let body = try await call.body(SnapshotRecoverBody.self)
            try RecoverRequest.validate(priority: body.priority, checksum: body.checksum)
            let source: @Sendable () throws -> any ByteSource
            var kind = SnapshotOperation.Kind.url_recover
            var total: Int64?
            if body.location.contains("://") {
                source = try RecoverRequest.source(location: body.location, apiKey: body.api_key, config: s.config)
            } else {  // a snapshot stored for this collection (local directory or S3)
                total = try await Blocking.run { try s.snapshots.describe(.collection(c), name: body.location) }.size
                kind = .stored_recover
                source = { try s.snapshots.open(.collection(c), name: body.location) }
            }
            return try await call.operation(kind, collection: c, total: total, wait: try call.wait(default: true)) { op in
                try s.snapshots.recoverCollection(c, from: op.track(try source()), checksum: body.checksum)
                return true
            }
        }
        on("/collections/:collection/snapshots/upload", method: .post, state: s) { call in
            let c = try call.parameter("collection")
            try Storage.validateName(c, what: "collection")
            let query = call.request.uri.queryParameters
            let checksum = query.get("checksum")
            try RecoverRequest.validate(priority: query.get("priority"), checksum: checksum)
            return try await call.recoverUpload(wait: try call.wait(default: true), collection: c) { source in
                try s.snapshots.recoverCollection(c, from: source, checksum: checksum)
                return true
            }
        }
    }
}

extension Call {
    /// Runs `work`; with `wait` the result is returned in the envelope, without it the work goes on
    /// in the background and the answer is 202 `{"status":"accepted"}` (failures are logged).
    func respondOrAccept<T: Encodable & Sendable>(wait: Bool, _ work: @escaping @Sendable () throws -> T) async throws -> Response {
        guard !wait else { return try await respond(work) }
        let logger = context.logger
        Blocking.queue.async {
            do { _ = try work() } catch { logger.error("background snapshot operation failed: \(error)") }
        }
        return Envelope.accepted(time: elapsed)
    }
}

/// Where a recovery reads from.
enum RecoverRequest {
    static let priorities: Set<String> = ["replica", "snapshot", "no_sync"]

    static func validate(priority: String?, checksum: String?) throws {
        if let priority, !priorities.contains(priority) {
            throw APIError(.unprocessableContent, "Validation error in JSON body: priority must be one of replica, snapshot, no_sync")
        }
        if let checksum, !SHA256Hasher.isValidChecksum(checksum) {
            throw APIError(.unprocessableContent, "Validation error in JSON body: checksum: invalid_sha256_hash")
        }
    }

    /// Resolves `location` to a source opener. `file://` paths must be absolute and, once every
    /// symlink and `..` is resolved, inside the snapshots directory (else 403).
    static func source(location: String, apiKey: String?, config: ServeConfig) throws -> @Sendable () throws -> any ByteSource {
        let snapshotsRoot = config.snapshotsPath
        guard let url = URL(string: location), let scheme = url.scheme?.lowercased() else {
            throw APIError(.badRequest, "Bad request: location `\(location)` is not a URL")
        }
        switch scheme {
        case "file":
            let path = url.path
            guard path.hasPrefix("/"), url.host == nil || url.host == "" || url.host == "localhost" else {
                throw APIError(.badRequest, "Bad request: Invalid snapshot URI, file path must be absolute or on localhost")
            }
            guard let real = realpath(path, nil) else {
                throw APIError(.badRequest, "Bad request: Snapshot file \"\(path)\" does not exist")
            }
            let resolved = String(cString: real)
            free(real)
            try? FileManager.default.createDirectory(atPath: snapshotsRoot, withIntermediateDirectories: true)
            guard let rootReal = realpath(snapshotsRoot, nil) else {
                throw APIError(.internalServerError, "Service internal error: snapshots directory is unavailable")
            }
            let root = String(cString: rootReal)
            free(rootReal)
            guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
                throw APIError(.forbidden, "Forbidden: Snapshot file path must be inside the snapshots directory \"\(snapshotsRoot)\"")
            }
            return { try FileDescriptorSource(path: resolved) }
        case "s3":
            return try s3Source(location: location, apiKey: apiKey, config: config)
        case "http", "https":
            guard config.enableSnapshotURLRecovery else {
                throw APIError(.forbidden, "Forbidden: Snapshot recovery from remote URLs is disabled in the configuration")
            }
            let limits = HTTPSource.Limits(totalTimeout: config.urlRecoveryTimeoutSec, minimumRate: config.urlRecoveryMinRateBytes)
            return { try HTTPSource(url: location, apiKey: apiKey, limits: limits) }
        default:
            throw APIError(.badRequest, "Bad request: URL \(location) with scheme \(scheme) is not supported")
        }
    }
}

/// Streams a stored file as an attachment, honouring a single `Range: bytes=…` request.
enum FileResponse {
    static let chunk = 1 << 20

    static func make(path: String, name: String, request: Request) throws -> Response {
        var st = stat()
        guard stat(path, &st) == 0 else { throw SnapshotError(.notFound, "Snapshot \(name) not found") }
        let size = Int(st.st_size)
        var start = 0
        var end = size - 1
        var status = HTTPResponse.Status.ok
        var headers: HTTPFields = [
            .contentType: "application/octet-stream", .acceptRanges: "bytes",
            .contentDisposition: "attachment; filename=\"\(name)\"",
        ]
        if let range = request.headers[.range] {
            guard let r = parseRange(range, size: size) else {
                var e = APIError(.rangeNotSatisfiable, "Range not satisfiable: \(range) for \(size) bytes")
                e.headers = [.contentRange: "bytes */\(size)"]
                throw e
            }
            (start, end) = r
            status = .partialContent
            headers[.contentRange] = "bytes \(start)-\(end)/\(size)"
        }
        let length = max(0, end - start + 1)
        let first = start
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: length) { writer in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SnapshotError(.io, "cannot open snapshot \(name)") }
            defer { close(fd) }
            var offset = first
            var remaining = length
            while remaining > 0 {
                let want = min(chunk, remaining)
                let at = offset
                let buffer = try await Blocking.run { () -> ByteBuffer in
                    var buf = ByteBuffer()
                    let n = buf.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { raw in
                        max(0, pread(fd, raw.baseAddress, want, off_t(at)))
                    }
                    guard n > 0 else { throw SnapshotError(.io, "snapshot \(name) shrank while being read") }
                    return buf
                }
                offset += buffer.readableBytes
                remaining -= buffer.readableBytes
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        })
    }

    /// `bytes=a-b`, `bytes=a-`, `bytes=-n`; nil when unsatisfiable or not a single byte range.
    static func parseRange(_ header: String, size: Int) -> (Int, Int)? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        let a = Int(spec[0].trimmingCharacters(in: .whitespaces))
        let b = Int(spec[1].trimmingCharacters(in: .whitespaces))
        switch (a, b) {
        case let (a?, b?) where a <= b && a < size: return (a, min(b, size - 1))
        case let (a?, nil) where a < size: return (a, size - 1)
        case let (nil, n?) where n > 0 && size > 0: return (max(0, size - n), size - 1)
        default: return nil
        }
    }
}
