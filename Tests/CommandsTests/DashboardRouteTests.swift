import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Commands

/// `GET /dashboard` (open, self-contained, same-origin only by CSP) and `GET /dashboard/status`
/// (a read behind the API keys, telling the page which access the key has).
@Suite struct DashboardRouteTests {
    let dir = NSTemporaryDirectory() + "qdb-dashboard-\(UUID().uuidString)"

    func app() throws -> some ApplicationProtocol {
        var config = ServeConfig()
        config.apiKey = "secret"
        config.readOnlyApiKey = "ro"
        config.snapshotsPath = dir + "/snapshots"
        let storage = try Storage.open(StorageOptions(path: dir + "/storage"), logger: Logger(label: "test"))
        return Application(router: buildRouter(storage: storage, config: config))
    }

    func result(_ buffer: ByteBuffer) throws -> [String: Any] {
        let body = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as! [String: Any]
        return try #require(body["result"] as? [String: Any])
    }

    @Test func pageIsOpenAndSelfContained() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/dashboard", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                let csp = try #require(r.headers[.init("Content-Security-Policy")!])
                #expect(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"))
                let html = String(buffer: r.body)
                #expect(html.hasPrefix("<!doctype html>") && html.contains("/dashboard/status") && html.contains("sessionStorage"))
                #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
            }
        }
    }

    @Test func statusNeedsAKeyAndNamesItsAccess() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/dashboard/status", method: .get) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/dashboard/status", method: .get, headers: [.init("api-key")!: "ro"]) { r in
                #expect(r.status == .ok)
                let res = try result(r.body)
                #expect(res["access"] as? String == "read-only")
            }
            try await client.execute(uri: "/collections/c", method: .put, headers: [.init("api-key")!: "secret"],
                                     body: ByteBuffer(string: #"{"vectors":{"size":2,"distance":"Dot"}}"#)) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/dashboard/status", method: .get, headers: [.init("api-key")!: "secret"]) { r in
                let res = try result(r.body)
                #expect(res["access"] as? String == "full")
                let backups = try #require(res["backups"] as? [String: Any])
                let rows = try #require(backups["collections"] as? [[String: Any]])
                #expect(rows.map { $0["name"] as? String } == ["c"])
                #expect(rows[0]["stale"] as? Bool == true)
            }
        }
    }
}
