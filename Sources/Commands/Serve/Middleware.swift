import Engine
import HTTPTypes
import Hummingbird
import Prometheus

/// Outermost middleware: renders every error — from handlers, auth, the router's not-found —
/// as Qdrant's JSON error envelope, and counts responses for `/metrics`.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let e = APIError.from(error)
            response = Envelope.error(e.status, e.message, headers: e.headers)
        }
        metrics.countResponse(method: request.method.rawValue, endpoint: context.endpointPath ?? "unknown", status: response.status.code)
        return response
    }
}

/// API-key auth as Qdrant's: `api-key: K` or `Authorization: Bearer K`. With any key configured, a
/// request without a valid key gets 401; the read-only key may only read (else 403).
/// `/`, `/healthz`, `/livez`, `/readyz` and the dashboard page (not its data) stay open.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let keys: APIKeys

    static let openPaths: Set<String> = ["/", "/healthz", "/livez", "/readyz", "/dashboard"]
    /// POST routes that only read.
    static let readPosts = ["/points", "/points/scroll", "/points/count", "/points/query", "/points/search",
                            "/points/query/batch", "/points/search/batch", "/points/query/groups",
                            "/points/search/groups", "/points/recommend", "/points/recommend/batch",
                            "/points/recommend/groups", "/points/discover", "/points/discover/batch",
                            "/points/search/matrix/pairs", "/points/search/matrix/offsets", "/facet"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard keys.enabled, !AuthMiddleware.openPaths.contains(normalized(request.uri.path)) else {
            return try await next(request, context)
        }
        try keys.authorize(presented: APIKeys.presented(request.headers), isRead: isRead(request))
        return try await next(request, context)
    }

    /// `/collections/{c}/shards/{id}/snapshot` exactly.
    static func isShardSnapshotStream(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0].isEmpty && parts[1] == "collections" && parts[3] == "shards" && parts[5] == "snapshot"
    }

    private func normalized(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Whether the request only reads. GET routes that create data are writes, as Qdrant
    /// decides them: streaming a shard snapshot (`GET …/shards/{id}/snapshot`) builds a snapshot
    /// and needs collection write access (reference §1.2).
    private func isRead(_ request: Request) -> Bool {
        switch request.method {
        case .get, .head:
            return !AuthMiddleware.isShardSnapshotStream(normalized(request.uri.path))
        case .post:
            let path = normalized(request.uri.path)
            return path.hasPrefix("/collections/") && AuthMiddleware.readPosts.contains { path.hasSuffix($0) }
                && !path.hasSuffix("/points/delete")
        default: return false
        }
    }
}
