import Engine
import Foundation
import GRPCCore

extension GRPCCall {
    /// Runs `work` as a registered snapshot operation, as REST's `Call.operation` with `wait`:
    /// it is listed by `GET /operations` with its progress while it runs, `DELETE
    /// /operations/{id}` cancels it (the engine's failure path leaves nothing half-made), and so
    /// does the client cancelling the call, its deadline passing or the server stopping. gRPC
    /// calls always wait, as Qdrant's do.
    /// - Parameters:
    ///   - work: the engine call; its result is the operation's recorded `result`.
    ///   - respond: the gRPC response made of that result.
    static func operation<R: Encodable & Sendable, T: TimedResponse>(
        _ state: APIState, _ kind: SnapshotOperation.Kind, collection: String?, shard: Int? = nil, total: Int64? = nil,
        _ work: @escaping @Sendable (SnapshotOperation) throws -> R, respond: @escaping @Sendable (R) -> T
    ) async throws -> T {
        let registry = state.snapshots.operations
        let op = registry.start(kind, collection: collection, shard: shard, total: total)
        // gRPC signals a cancelled call (client gone, deadline passed, server stopping) through
        // the RPC cancellation handler, not by cancelling the handler's task; both cancel it.
        return try await withRPCCancellationHandler {
            try await withTaskCancellationHandler {
                try await run { respond(try registry.run(op, work)) }
            } onCancel: {
                op.cancel()
            }
        } onCancelRPC: {
            op.cancel()
        }
    }
}
