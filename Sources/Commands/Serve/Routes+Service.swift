import Engine
import Hummingbird

/// The Qdrant release whose REST API qdb implements; `GET /` reports it so clients' version
/// checks pass.
let qdrantCompatibleVersion = "1.19.0"
public let qdbVersion = "0.1.0"

struct RootInfo: Encodable {
    var title = "qdb - vector search engine (Qdrant-compatible)"
    var version = qdrantCompatibleVersion
    var qdb_version = qdbVersion
}

extension Router where Context == BasicRequestContext {
    /// `/`, health probes and `/metrics`.
    func addServiceRoutes(_ s: APIState, metrics: ServerMetrics) {
        get("/") { _, _ in Envelope.json(.ok, try Envelope.encoder.encode(RootInfo())) }
        for path in ["/healthz", "/livez"] {
            get(RouterPath(stringLiteral: path)) { _, _ in text("healthz check passed") }
        }
        get("/readyz") { _, _ in text("all shards are ready") }
        get("/metrics") { _, _ in
            let bytes = try await Blocking.run { metrics.render(storage: s.storage) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}

func text(_ s: String) -> Response {
    Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: s)))
}
