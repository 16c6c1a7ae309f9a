import Foundation

/// The in-process registry of long snapshot operations (`GET /operations`). Running operations
/// stay until they finish; finished ones are kept for `retention` and at most `maxFinished` of
/// them (the oldest are forgotten first), so a busy server's registry stays bounded.
public final class OperationRegistry: @unchecked Sendable {
    public let retention: Duration
    public let maxFinished: Int
    private let lock = NSLock()
    private var operations: [String: SnapshotOperation] = [:]
    private var order: [String] = []  // ids, oldest first

    public init(retention: Duration = .seconds(3600), maxFinished: Int = 100) {
        self.retention = retention
        self.maxFinished = maxFinished
    }

    /// Registers a new running operation.
    public func start(_ kind: SnapshotOperation.Kind, collection: String?, shard: Int? = nil, total: Int64? = nil) -> SnapshotOperation {
        let op = SnapshotOperation(kind: kind, collection: collection, shardID: shard, total: total)
        lock.withLock {
            expire()
            operations[op.id] = op
            order.append(op.id)
        }
        return op
    }

    /// Runs `work` as `operation`: its result (encoded as JSON) or error is recorded, and the
    /// error rethrown.
    public func run<T: Encodable>(_ operation: SnapshotOperation, _ work: (SnapshotOperation) throws -> T) throws -> T {
        do {
            try operation.checkCancelled()
            let value = try work(operation)
            let json = try? JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
            operation.finish(result: json, error: nil)
            return value
        } catch {
            operation.finish(result: nil, error: error)
            if operation.isCancelRequested, (error as? OperationError)?.code != .cancelled { throw OperationError.cancelled(operation.id) }
            throw error
        }
    }

    /// Every known operation, oldest first.
    public func list() -> [OperationInfo] {
        lock.withLock {
            expire()
            return order.compactMap { operations[$0]?.info }
        }
    }

    public func get(_ id: String) throws -> SnapshotOperation {
        try lock.withLock {
            expire()
            guard let op = operations[id] else {
                throw OperationError(.notFound, "Operation \(id) not found (finished operations are kept for \(Int(retention.seconds)) s, at most \(maxFinished))")
            }
            return op
        }
    }

    /// Asks operation `id` to stop. Throws `.notFound`, or `.finished` when it has ended.
    public func cancel(_ id: String) throws -> OperationInfo {
        let op = try get(id)
        guard op.cancel() else {
            throw OperationError(.finished, "Operation \(id) has already finished (\(op.info.phase.rawValue)); there is nothing to cancel")
        }
        return op.info
    }

    /// Forgets finished operations past the retention time or beyond the count. Holds `lock`.
    private func expire() {
        let now = ContinuousClock.now
        var finished = order.filter { operations[$0]?.finishedAt != nil }
        var drop = Set<String>()
        for id in finished where now - operations[id]!.finishedAt! > retention { drop.insert(id) }
        finished.removeAll { drop.contains($0) }
        if finished.count > maxFinished { drop.formUnion(finished.prefix(finished.count - maxFinished)) }
        guard !drop.isEmpty else { return }
        for id in drop { operations[id] = nil }
        order.removeAll { drop.contains($0) }
    }
}
