import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Commands

/// The REST API in-process (HummingbirdTesting), with a storage in a temp dir.
@Suite struct RouterTests {
    let dir = NSTemporaryDirectory() + "qdb-router-\(UUID().uuidString)"

    func app(_ configure: (inout ServeConfig) -> Void = { _ in }) throws -> some ApplicationProtocol {
        var config = ServeConfig()
        configure(&config)
        let storage = try Storage.open(StorageOptions(path: dir), logger: Logger(label: "test"))
        return Application(router: buildRouter(storage: storage, config: config))
    }

    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as! [String: Any]
    }

    @Test func envelopeAndErrors() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/collections/c", method: .put, body: ByteBuffer(string: #"{"vectors":{"size":2,"distance":"Dot"}}"#)) { r in
                #expect(r.status == .ok)
                let body = try json(r.body)
                #expect(body["result"] as? Bool == true)
                #expect(body["status"] as? String == "ok")
                #expect(body["time"] is Double)
            }
            try await client.execute(uri: "/collections/c", method: .put, body: ByteBuffer(string: #"{"vectors":{"size":2,"distance":"Dot"}}"#)) { r in
                #expect(r.status == .conflict)
            }
            try await client.execute(uri: "/collections/missing", method: .get) { r in
                #expect(r.status == .notFound)
                let body = try json(r.body)
                #expect(body["result"] == nil)
                #expect((body["status"] as? [String: Any])?["error"] as? String == "Not found: Collection `missing` doesn't exist!")
            }
            try await client.execute(uri: "/collections/c/points?wait=true", method: .put, body: ByteBuffer(string: #"{"points":[{"id":1,"vector":[1,2,3]}]}"#)) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("expected dim: 2, got 3"))
            }
            try await client.execute(uri: "/collections/c/points", method: .put, body: ByteBuffer(string: "{not json")) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/no/such/route", method: .get) { r in
                #expect(r.status == .notFound)
                let body = try json(r.body)
                #expect((body["status"] as? [String: Any])?["error"] != nil)
            }
        }
    }

    @Test func apiKeys() async throws {
        try await app { $0.apiKey = "secret"; $0.readOnlyApiKey = "ro" }.test(.router) { client in
            try await client.execute(uri: "/collections", method: .get) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/collections", method: .get, headers: [.init("api-key")!: "wrong"]) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/collections/c", method: .put, headers: [.authorization: "Bearer secret"],
                                     body: ByteBuffer(string: #"{"vectors":{"size":2,"distance":"Dot"}}"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/collections/c/points/count", method: .post, headers: [.init("api-key")!: "ro"], body: ByteBuffer(string: "{}")) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/collections/c/points?wait=true", method: .put, headers: [.init("api-key")!: "ro"],
                                     body: ByteBuffer(string: #"{"points":[{"id":1,"vector":[1,2]}]}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/collections/c/points/delete", method: .post, headers: [.init("api-key")!: "ro"],
                                     body: ByteBuffer(string: #"{"points":[1]}"#)) { r in
                #expect(r.status == .forbidden)
            }
        }
    }

    @Test func bodyCap() async throws {
        try await app { $0.maxRequestSizeMB = 1 }.test(.router) { client in
            try await client.execute(uri: "/collections/c", method: .put, body: ByteBuffer(string: #"{"vectors":{"size":2,"distance":"Dot"}}"#)) { _ in }
            let big = "{\"points\":[" + String(repeating: "{\"id\":1,\"vector\":[1,2]},", count: 60_000) + "{\"id\":1,\"vector\":[1,2]}]}"
            try await client.execute(uri: "/collections/c/points", method: .put, body: ByteBuffer(string: big)) { r in
                #expect(r.status == .contentTooLarge)
            }
            try await client.execute(uri: "/collections/c/points/count", method: .post, body: ByteBuffer(string: "{}")) { r in
                #expect(String(buffer: r.body).contains(#""count":0"#))
            }
        }
    }
}
