import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Router where Context == BasicRequestContext {
    /// `GET /dashboard`: the page (open, like `/`: it holds no data and asks for a key), and
    /// `GET /dashboard/status`: the backup state the page shows beside the REST API's own
    /// answers (a read: the read-only key may call it), plus which access the key grants.
    func addDashboardRoutes(_ s: APIState) {
        get("/dashboard") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.cacheControl] = "no-store"
            // The page may talk only to its own origin.
            headers[HTTPField.Name("Content-Security-Policy")!] = DashboardPage.contentSecurityPolicy
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        let keys = APIKeys(apiKey: s.config.apiKey, readOnlyKey: s.config.readOnlyApiKey)
        on("/dashboard/status", method: .get, state: s) { call in
            let access = keys.enabled && keys.access(call.request.headers) == .readOnly ? "read-only" : "full"
            let status = try await Blocking.run {
                BackupStatus.read(service: s.snapshots, collections: s.storage.collectionNames().sorted()) { name in
                    Array(0..<((try? s.storage.collection(name))?.config.params.shard_number ?? 0))
                }
            }
            return try Envelope.ok(DashboardStatus(access: access, backups: status), time: call.elapsed)
        }
    }
}

/// `GET /dashboard/status`'s result.
struct DashboardStatus: Encodable {
    /// `full` or `read-only`: whether the page offers buttons that change state.
    var access: String
    var backups: BackupStatus
}
