import Engine
import Foundation
import Hummingbird

extension Router where Context == BasicRequestContext {
    /// `GET /operations`, `GET /operations/{id}`, `DELETE /operations/{id}` (cancel), and
    /// `GET /schedules` (each schedule's settings, next run and last outcome), and
    /// `POST /snapshots/prune`.
    func addOperationRoutes(_ s: APIState) {
        let registry = s.snapshots.operations
        on("/operations", method: .get, state: s) { call in
            try Envelope.ok(registry.list(), time: call.elapsed)
        }
        on("/operations/:id", method: .get, state: s) { call in
            try Envelope.ok(try registry.get(try call.parameter("id")).info, time: call.elapsed)
        }
        on("/operations/:id", method: .delete, state: s) { call in
            try Envelope.ok(try registry.cancel(try call.parameter("id")), time: call.elapsed)
        }
        on("/schedules", method: .get, state: s) { call in
            try Envelope.ok(s.snapshots.schedules.list(), time: call.elapsed)
        }
        addPruneRoute(s)
    }
}

/// Qdrant's 202 envelope plus the operation's id, which qdrant-client ignores (its response
/// models accept extra fields) and `qdb` reads.
struct AcceptedOperation: Encodable {
    var status = "accepted"
    var time: Double
    var operation_id: String
}

extension Call {
    /// Runs `work` as a registered operation of `kind`. With `wait` the answer is the result in
    /// the envelope; without it the work goes on in the background and the answer is 202 in
    /// Qdrant's envelope with `operation_id`. Either way `Location: /operations/{id}` names it.
    func operation<T: Encodable & Sendable>(
        _ kind: SnapshotOperation.Kind, collection: String?, shard: Int? = nil, total: Int64? = nil, wait: Bool,
        _ work: @escaping @Sendable (SnapshotOperation) throws -> T
    ) async throws -> Response {
        let op = state.snapshots.operations.start(kind, collection: collection, shard: shard, total: total)
        return try await run(op, wait: wait, work)
    }

    /// Runs an already registered `op` (see `operation`).
    func run<T: Encodable & Sendable>(
        _ op: SnapshotOperation, wait: Bool, _ work: @escaping @Sendable (SnapshotOperation) throws -> T
    ) async throws -> Response {
        let registry = state.snapshots.operations
        guard !wait else {
            var response = try await respond { try registry.run(op, work) }
            response.headers[.location] = "/operations/\(op.id)"
            return response
        }
        let logger = context.logger
        Blocking.queue.async {
            do { _ = try registry.run(op, work) } catch {
                logger.error("background snapshot operation failed", metadata: ["operation": "\(op.id)", "error": "\(error)"])
            }
        }
        var response = Envelope.json(.accepted, try Envelope.encoder.encode(AcceptedOperation(time: elapsed, operation_id: op.id)))
        response.headers[.location] = "/operations/\(op.id)"
        return response
    }

    /// `?description=TEXT` and `?label=KEY=VALUE` (repeatable) of a snapshot create.
    func annotation() throws -> SnapshotAnnotation? {
        let description = formValues("description").last
        try SnapshotAnnotation.validate(description: description)
        let labels = try SnapshotAnnotation.parse(labels: formValues("label"))
        let a = SnapshotAnnotation(description: description, labels: labels.isEmpty ? nil : labels)
        return a.isEmpty ? nil : a
    }

    /// The values of query parameter `name`, decoded as forms are (`+` is a space, as Qdrant's
    /// query parser reads it).
    func formValues(_ name: String) -> [String] {
        (request.uri.query ?? "").split(separator: "&").compactMap { item -> String? in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.first.map(String.init)?.removingPercentEncoding == name else { return nil }
            let raw = kv.count == 2 ? String(kv[1]) : ""
            return raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
    }

    /// The request's `Content-Length`, the best total an upload's progress has.
    var contentLength: Int64? {
        request.headers[.contentLength].flatMap { Int64($0) }
    }
}
