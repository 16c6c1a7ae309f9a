import Dispatch
import Engine
import Foundation
import Hummingbird

/// What every route handler needs: the storage and the server settings.
struct APIState: Sendable {
    let storage: Storage
    let config: ServeConfig
    let snapshots: SnapshotService

    var maxBodyBytes: Int { config.maxRequestSizeMB * 1024 * 1024 }
}

/// Runs engine work (disk I/O, fsync, scans) off the async executors, on a concurrent queue.
enum Blocking {
    static let queue = DispatchQueue(label: "qdb.engine", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            queue.async { cont.resume(with: Result { try body() }) }
        }
    }
}

/// A handler's request helpers: body decoding under the size cap, query flags, the envelope.
struct Call: Sendable {
    let request: Request
    let context: BasicRequestContext
    let state: APIState
    let start = ContinuousClock.now

    var elapsed: Double {
        (ContinuousClock.now - start).seconds
    }

    /// A path parameter, percent-decoded as Qdrant decodes them (`x%20y` is the name `x y`;
    /// `a%2Fb` is `a/b`, which name validation then rejects).
    func parameter(_ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError(.badRequest, "Wrong input: path parameter `\(name)` is not valid percent-encoded UTF-8")
        }
        return decoded
    }

    /// `?wait=` as a bool; `default` when absent. Every point write reads it, so it also checks
    /// the other write parameters (`checkWriteParameters`).
    func wait(default value: Bool) throws -> Bool {
        try checkWriteParameters()
        guard let raw = request.uri.queryParameters.get("wait") else { return value }
        switch raw.lowercased() {
        case "true", "1", "": return true
        case "false", "0": return false
        default: throw APIError(.badRequest, "Query deserialize error: wait must be true or false, got `\(raw)`")
        }
    }

    /// `ordering` (`weak`, `medium` or `strong`; one node: each means the same here) and `timeout`
    /// (a positive integer) of a write, as Qdrant validates them.
    func checkWriteParameters() throws {
        let q = request.uri.queryParameters
        if let o = q.get("ordering"), !["weak", "medium", "strong"].contains(o) {
            throw APIError(.badRequest, "Query deserialize error: ordering must be weak, medium or strong, got `\(o)`")
        }
        if let raw = q.get("timeout") {
            guard let t = Int(raw), t >= 1 else {
                throw APIError(.badRequest, "Query deserialize error: timeout must be a positive integer (seconds), got `\(raw)`")
            }
        }
    }

    /// Reads the body (up to the configured cap) and decodes it off the event loop. An empty body
    /// decodes as `{}`.
    func body<T: Decodable & Sendable>(_ type: T.Type) async throws -> T {
        var req = request
        let buffer = try await req.collectBody(upTo: state.maxBodyBytes)
        return try await Blocking.run {
            let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
            return try JSONDecoder().decode(T.self, from: data)
        }
    }

    /// Reads the body and parses it with `JSONParser` (the fast path for large upserts).
    func rawJSON() async throws -> JSONValue {
        var req = request
        let buffer = try await req.collectBody(upTo: state.maxBodyBytes)
        return try await Blocking.run {
            do {
                return try JSONParser.parse(buffer.readableBytesView)
            } catch let e as JSONParser.Error {
                throw APIError(.badRequest, "Format error in JSON body: \(e)")
            }
        }
    }

    /// Runs `work` on the engine queue and wraps its result in the `{result,status,time}` envelope.
    func respond<T: Encodable & Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> Response {
        let result = try await Blocking.run(work)
        return try Envelope.ok(result, time: elapsed)
    }

    func collection(_ name: String) throws -> Collection {
        try state.storage.collection(name)
    }
}

extension Router where Context == BasicRequestContext {
    /// Registers a route whose handler gets a `Call`.
    func on(
        _ path: RouterPath, method: HTTPRequest.Method, state: APIState,
        _ handler: @escaping @Sendable (Call) async throws -> Response
    ) {
        self.on(path, method: method) { request, context in
            try await handler(Call(request: request, context: context, state: state))
        }
    }
}
