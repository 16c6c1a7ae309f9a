import Engine
import GRPCCore
import QdrantProto

/// Payload edits over gRPC, through the same engine calls (and key-path checks) as REST's.
extension PointsGRPC {
    static func selector(_ s: Qdrant_PointsSelector) throws -> PointSelector {
        try GRPCCall.rejectUnknownFields(s)
        switch s.pointsSelectorOneOf {
        case .points(let list)?: return .ids(try list.ids.map(GRPCConvert.pointID))
        case .filter(let f)?: return .filter(try GRPCConvert.filter(f))
        case nil: throw GRPCConvert.badInput("the selector must select point ids or a filter")
        }
    }

    func setPayload(request: Qdrant_SetPayloadPoints, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        try await writePayload(request, overwrite: false)
    }

    func overwritePayload(request: Qdrant_SetPayloadPoints, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        try await writePayload(request, overwrite: true)
    }

    private func writePayload(_ request: Qdrant_SetPayloadPoints, overwrite: Bool) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            guard request.hasPointsSelector else { throw GRPCConvert.badInput("`points_selector` is required") }
            let selector = try PointsGRPC.selector(request.pointsSelector)
            let payload = try GRPCConvert.payload(request.payload)
            let key = request.hasKey ? request.key : nil
            if let key, !key.isEmpty { _ = try GRPCQuery.path(key) }
            let wait = request.hasWait && request.wait
            let c = try storage.collection(request.collectionName)
            let op = overwrite ? try c.overwritePayload(payload, selector, wait: wait) : try c.setPayload(payload, key: key, selector, wait: wait)
            return PointsGRPC.updated(op, wait: wait)
        }
    }

    func deletePayload(request: Qdrant_DeletePayloadPoints, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            guard request.hasPointsSelector else { throw GRPCConvert.badInput("`points_selector` is required") }
            let selector = try PointsGRPC.selector(request.pointsSelector)
            for k in request.keys { _ = try GRPCQuery.path(k) }
            let wait = request.hasWait && request.wait
            let op = try storage.collection(request.collectionName).deletePayload(keys: request.keys, selector, wait: wait)
            return PointsGRPC.updated(op, wait: wait)
        }
    }

    func clearPayload(request: Qdrant_ClearPayloadPoints, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let selector = try PointsGRPC.selector(request.points)
            let wait = request.hasWait && request.wait
            let op = try storage.collection(request.collectionName).clearPayload(selector, wait: wait)
            return PointsGRPC.updated(op, wait: wait)
        }
    }
}
