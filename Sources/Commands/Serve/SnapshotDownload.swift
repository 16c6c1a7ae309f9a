import Engine
import Foundation
import Hummingbird

/// Download responses for stored snapshots, from whichever store holds them: a local file is
/// served with Range support (`FileResponse`); an S3 object streams through in 1 MiB chunks with
/// its size as Content-Length (no Range, as Qdrant for S3). A missing snapshot is a JSON 404
/// before any byte is sent.
enum SnapshotDownload {
    /// A source handed between the engine queue and the response writer, one at a time.
    final class SourceBox: @unchecked Sendable {
        let source: any ByteSource
        init(_ source: any ByteSource) { self.source = source }
    }

    enum Found: Sendable {
        case file(String)
        case stream(Int64, SourceBox)
    }

    static func response(_ s: APIState, _ scope: SnapshotScope, name: String, request: Request) async throws -> Response {
        let found = try await Blocking.run { () -> Found in
            let description = try s.snapshots.describe(scope, name: name)
            if let path = try s.snapshots.store.localPath(scope, name: name) { return .file(path) }
            return .stream(description.size, SourceBox(try s.snapshots.open(scope, name: name)))
        }
        switch found {
        case .file(let path):
            return try FileResponse.make(path: path, name: name, request: request)
        case .stream(let size, let box):
            let headers: HTTPFields = [.contentType: "application/octet-stream", .contentDisposition: "attachment; filename=\"\(name)\""]
            return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: Int(size)) { writer in
                while true {
                    let chunk = try await Blocking.run { () -> ByteBuffer in
                        var buf = ByteBuffer()
                        _ = try buf.writeWithUnsafeMutableBytes(minimumWritableBytes: 1 << 20) { raw in
                            try box.source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw.prefix(1 << 20)))
                        }
                        return buf
                    }
                    if chunk.readableBytes == 0 { break }
                    try await writer.write(chunk)
                }
                // A transfer that failed midway is an error here, so the response is cut short
                // rather than ended as if complete.
                try await Blocking.run { try (box.source as? any TransferSource)?.finish() }
                try await writer.finish(nil)
            })
        }
    }
}

extension RecoverRequest {
    /// An `s3://bucket/key` location: the endpoint and region of the server's `s3_config` (or the
    /// `AWS_*` environment), credentials from the request's `api_key` in `ACCESS_KEY:SECRET_KEY`
    /// form, else from the config.
    static func s3Source(location: String, apiKey: String?, config: ServeConfig) throws -> @Sendable () throws -> any ByteSource {
        // Only a server configured for S3 talks to S3: without it, an s3:// location would send
        // requests to AWS on a caller's behalf.
        guard config.s3Configured else {
            throw APIError(.badRequest, "Bad request: s3:// locations need S3 configured on this server (storage.snapshots_config.snapshots_storage: s3, or s3_config.bucket / endpoint_url)")
        }
        let target: S3Target
        do {
            target = try S3Target(location)
        } catch {
            throw APIError(.badRequest, "Bad request: \(error)")
        }
        guard !target.path.isEmpty else { throw APIError(.badRequest, "Bad request: \(location) names no object; use s3://bucket/key") }
        let credentials = apiKey.flatMap(S3Credentials.init(pair:))
        if let apiKey, credentials == nil, !apiKey.isEmpty {
            throw APIError(.badRequest, "Bad request: api_key for an s3:// location must be ACCESS_KEY:SECRET_KEY")
        }
        let s3 = config.s3
        return { try target.source(defaults: s3, credentials: credentials) }
    }
}
