import Foundation

/// One long snapshot operation (create, upload, URL recovery, partial recovery, `recover_from`)
/// as the operations registry tracks it: what it is, how far it got, and how it ended.
///
/// Progress is fed by the byte streams the operation reads or writes (`track`), and so is
/// cancellation: once `cancel()` is called, the next read or write of a tracked stream throws
/// `OperationError.cancelled`, and the operation's own failure path (the store's upload abort,
/// the restore's staging cleanup) leaves nothing half-made. All state is behind one lock; the
/// object is shared between the worker thread and the threads that report on it.
public final class SnapshotOperation: @unchecked Sendable {
    /// What kind of work the operation does (Qdrant's route names, snake_case).
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case create_collection_snapshot, create_shard_snapshot, create_full_snapshot
        case upload_recover, url_recover, stored_recover, partial_recover, recover_from
    }

    /// Where it is: `running` until it ends as `succeeded`, `failed` or `cancelled`.
    public enum Phase: String, Codable, Sendable {
        case running, succeeded, failed, cancelled

        public var isFinished: Bool { self != .running }
    }

    public let id: String
    public let kind: Kind
    public let collection: String?
    public let shardID: Int?
    public let started: Date
    private let startedClock = ContinuousClock.now
    private let lock = NSLock()
    private var phase = Phase.running
    private var bytesDone: Int64 = 0
    private var bytesTotal: Int64?
    private var finished: Date?
    private var finishedClock: ContinuousClock.Instant?
    private var result: JSONValue?
    private var error: String?
    private var cancelRequested = false

    init(kind: Kind, collection: String?, shardID: Int?, total: Int64?) {
        id = UUID().uuidString.lowercased()
        self.kind = kind
        self.collection = collection
        self.shardID = shardID
        bytesTotal = total
        started = Date()
    }

    /// Whether `cancel()` was called.
    public var isCancelRequested: Bool { lock.withLock { cancelRequested } }

    public var isFinished: Bool { lock.withLock { phase.isFinished } }

    /// Asks the operation to stop at its next read or write. Returns false when it had already
    /// finished (nothing to cancel).
    @discardableResult
    public func cancel() -> Bool {
        lock.withLock {
            guard !phase.isFinished else { return false }
            cancelRequested = true
            return true
        }
    }

    /// Throws `OperationError.cancelled` once `cancel()` was called.
    public func checkCancelled() throws {
        if isCancelRequested { throw OperationError.cancelled(id) }
    }

    /// Sets the number of bytes the operation will move, when it becomes known.
    public func setTotal(_ total: Int64?) {
        lock.withLock { bytesTotal = total }
    }

    func advance(_ n: Int) {
        lock.withLock { bytesDone += Int64(n) }
    }

    /// Records the end: `result` on success; a cancellation (requested, and the work failed
    /// with it or after it) or any other error otherwise.
    func finish(result: JSONValue?, error: (any Error)?) {
        lock.withLock {
            finished = Date()
            finishedClock = .now
            if let error {
                phase = (cancelRequested || (error as? OperationError)?.code == .cancelled) ? .cancelled : .failed
                self.error = "\(error)"
            } else {
                phase = .succeeded
                self.result = result
            }
        }
    }

    /// When it finished (for the registry's retention), nil while running.
    var finishedAt: ContinuousClock.Instant? { lock.withLock { finishedClock } }

    /// A point-in-time view for JSON (`GET /operations/{id}`, `qdb operation status`).
    public var info: OperationInfo {
        lock.withLock {
            let end = finishedClock ?? .now
            let elapsed = max((end - startedClock).seconds, 1e-6)
            let rate = Double(bytesDone) / elapsed
            var eta: Double?
            if phase == .running, let total = bytesTotal, rate > 0, total >= bytesDone {
                eta = Double(total - bytesDone) / rate
            }
            return OperationInfo(
                id: id, kind: kind, collection: collection, shard_id: shardID, phase: phase,
                bytes_done: bytesDone, bytes_total: bytesTotal, rate_bytes_per_s: rate, eta_s: eta,
                elapsed_s: elapsed, started_at: OperationInfo.timestamp(started),
                finished_at: finished.map(OperationInfo.timestamp), cancel_requested: cancelRequested,
                result: result, error: error)
        }
    }

    /// `sink` counted and made cancellable: each write adds to `bytes_done` and throws once
    /// the operation is cancelled.
    public func track(_ sink: any ByteSink) -> any ByteSink { TrackedSink(sink, self) }

    /// `source` counted and made cancellable, as `track(_:ByteSink)`; the end of the stream
    /// is also a cancellation point, so a recovery never swaps in after a cancel it has seen.
    public func track(_ source: any ByteSource) -> any ByteSource {
        if let transfer = source as? any TransferSource { return TrackedTransferSource(transfer, self) }
        return TrackedSource(source, self)
    }
}

/// `GET /operations/{id}`'s `result`: one operation's state. Fields are only ever added.
public struct OperationInfo: Codable, Sendable, Equatable {
    public var id: String
    public var kind: SnapshotOperation.Kind
    public var collection: String?
    public var shard_id: Int?
    public var phase: SnapshotOperation.Phase
    public var bytes_done: Int64
    /// Unknown (null) while a create runs: an archive's size is known when it ends.
    public var bytes_total: Int64?
    public var rate_bytes_per_s: Double
    public var eta_s: Double?
    public var elapsed_s: Double
    public var started_at: String
    public var finished_at: String?
    public var cancel_requested: Bool
    /// What the operation answered (a snapshot description for a create, `true` for a recovery).
    public var result: JSONValue?
    public var error: String?

    static func timestamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }
}

/// The error of the operations domain.
public struct OperationError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The operation was cancelled (`DELETE /operations/{id}`).
        case cancelled
        /// No such operation (never started, or finished and forgotten).
        case notFound
        /// It has finished; there is nothing to cancel.
        case finished
        /// A policy, schedule or request that cannot be carried out as given.
        case badInput
        /// Another holder has the repository's lock (who is in the message).
        case locked
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func cancelled(_ id: String) -> OperationError {
        OperationError(.cancelled, "operation \(id) was cancelled; nothing it started was kept")
    }
}

final class TrackedSink: ByteSink {
    let inner: any ByteSink
    let operation: SnapshotOperation

    init(_ inner: any ByteSink, _ operation: SnapshotOperation) {
        self.inner = inner
        self.operation = operation
    }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        try operation.checkCancelled()
        Failpoint.pause("operation_chunk")
        try inner.write(raw)
        operation.advance(raw.count)
    }

    func close() throws {
        try inner.close()
    }
}

class TrackedSource: ByteSource {
    let inner: any ByteSource
    let operation: SnapshotOperation

    init(_ inner: any ByteSource, _ operation: SnapshotOperation) {
        self.inner = inner
        self.operation = operation
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try operation.checkCancelled()
        Failpoint.pause("operation_chunk")
        let n = try inner.read(into: buffer)
        if n == 0 { try operation.checkCancelled() }
        operation.advance(n)
        return n
    }

    var remainingSize: Int? { inner.remainingSize }
}

/// A tracked download keeps reporting its transfer's own failure (`SnapshotService.withSource`).
final class TrackedTransferSource: TrackedSource, TransferSource {
    let transfer: any TransferSource

    init(_ transfer: any TransferSource, _ operation: SnapshotOperation) {
        self.transfer = transfer
        super.init(transfer, operation)
    }

    func finish() throws { try transfer.finish() }
}
