import Engine
import Foundation
import GRPCCore
import QdrantProto
import SwiftProtobuf

/// `qdrant.Snapshots`: collection and full-storage snapshots, over the same `SnapshotService`
/// the REST routes use. gRPC calls always wait for the operation, as Qdrant's do.
struct SnapshotsGRPC: Qdrant_Snapshots.SimpleServiceProtocol {
    let state: APIState

    func create(request: Qdrant_CreateSnapshotRequest, context: ServerContext) async throws -> Qdrant_CreateSnapshotResponse {
        try GRPCCall.rejectUnknownFields(request)
        let (s, c) = (state.snapshots, request.collectionName)
        return try await GRPCCall.operation(state, .create_collection_snapshot, collection: c, { op in
            try s.createCollectionSnapshot(c, operation: op, annotation: nil)
        }, respond: SnapshotsGRPC.created)
    }

    func list(request: Qdrant_ListSnapshotsRequest, context: ServerContext) async throws -> Qdrant_ListSnapshotsResponse {
        try GRPCCall.rejectUnknownFields(request)
        let s = state.snapshots
        return try await GRPCCall.run { try SnapshotsGRPC.listed(s.list(.collection(request.collectionName))) }
    }

    func delete(request: Qdrant_DeleteSnapshotRequest, context: ServerContext) async throws -> Qdrant_DeleteSnapshotResponse {
        try GRPCCall.rejectUnknownFields(request)
        let s = state.snapshots
        return try await GRPCCall.run {
            try s.delete(.collection(request.collectionName), name: request.snapshotName)
            return Qdrant_DeleteSnapshotResponse()
        }
    }

    func createFull(request: Qdrant_CreateFullSnapshotRequest, context: ServerContext) async throws -> Qdrant_CreateSnapshotResponse {
        try GRPCCall.rejectUnknownFields(request)
        let s = state.snapshots
        return try await GRPCCall.operation(state, .create_full_snapshot, collection: nil, { op in
            try s.createFullSnapshot(operation: op, annotation: nil)
        }, respond: SnapshotsGRPC.created)
    }

    func listFull(request: Qdrant_ListFullSnapshotsRequest, context: ServerContext) async throws -> Qdrant_ListSnapshotsResponse {
        try GRPCCall.rejectUnknownFields(request)
        let s = state.snapshots
        return try await GRPCCall.run { try SnapshotsGRPC.listed(s.list(.full)) }
    }

    func deleteFull(request: Qdrant_DeleteFullSnapshotRequest, context: ServerContext) async throws -> Qdrant_DeleteSnapshotResponse {
        try GRPCCall.rejectUnknownFields(request)
        let s = state.snapshots
        return try await GRPCCall.run {
            try s.delete(.full, name: request.snapshotName)
            return Qdrant_DeleteSnapshotResponse()
        }
    }

    // MARK: descriptions

    static func created(_ d: SnapshotDescription) -> Qdrant_CreateSnapshotResponse {
        var r = Qdrant_CreateSnapshotResponse()
        r.snapshotDescription = proto(d)
        return r
    }

    static func listed(_ list: [SnapshotDescription]) -> Qdrant_ListSnapshotsResponse {
        var r = Qdrant_ListSnapshotsResponse()
        r.snapshotDescriptions = list.map { proto($0) }
        return r
    }

    /// A snapshot description; `creation_time` (REST's naive UTC `yyyy-MM-ddTHH:mm:ss`) becomes a
    /// Timestamp, and stays unset when the store has none.
    static func proto(_ d: SnapshotDescription) -> Qdrant_SnapshotDescription {
        var p = Qdrant_SnapshotDescription()
        p.name = d.name
        p.size = d.size
        if let c = d.checksum { p.checksum = c }
        if let t = d.creation_time, let date = creationTimeFormat().date(from: t) {
            p.creationTime = Google_Protobuf_Timestamp(date: date)
        }
        return p
    }

    static func creationTimeFormat() -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f
    }
}

/// `qdrant.ShardSnapshots`: snapshots of one shard, and recovery of a shard from a URL or a
/// stored snapshot. (Qdrant serves this service on its internal port; qdb has one node and serves
/// it on the public one, beside the REST routes with the same function.)
struct ShardSnapshotsGRPC: Qdrant_ShardSnapshots.SimpleServiceProtocol {
    let state: APIState

    func create(request: Qdrant_CreateShardSnapshotRequest, context: ServerContext) async throws -> Qdrant_CreateSnapshotResponse {
        try GRPCCall.rejectUnknownFields(request)
        let (s, c, id) = (state.snapshots, request.collectionName, Int(request.shardID))
        return try await GRPCCall.operation(state, .create_shard_snapshot, collection: c, shard: id, { op in
            try s.createShardSnapshot(c, shard: id, operation: op, annotation: nil)
        }, respond: SnapshotsGRPC.created)
    }

    func list(request: Qdrant_ListShardSnapshotsRequest, context: ServerContext) async throws -> Qdrant_ListSnapshotsResponse {
        try GRPCCall.rejectUnknownFields(request)
        let s = state.snapshots
        return try await GRPCCall.run {
            try SnapshotsGRPC.listed(s.list(.shard(collection: request.collectionName, shard: Int(request.shardID))))
        }
    }

    func delete(request: Qdrant_DeleteShardSnapshotRequest, context: ServerContext) async throws -> Qdrant_DeleteSnapshotResponse {
        try GRPCCall.rejectUnknownFields(request)
        let s = state.snapshots
        return try await GRPCCall.run {
            try s.delete(.shard(collection: request.collectionName, shard: Int(request.shardID)), name: request.snapshotName)
            return Qdrant_DeleteSnapshotResponse()
        }
    }

    func recover(request: Qdrant_RecoverShardSnapshotRequest, context: ServerContext) async throws -> Qdrant_RecoverSnapshotResponse {
        let state = self.state
        let (c, id) = (request.collectionName, Int(request.shardID))
        let checksum = request.hasChecksum ? request.checksum : nil
        let plan: RecoverPlan
        do {
            plan = try await Blocking.run { try ShardSnapshotsGRPC.plan(request, state: state) }
        } catch {
            throw GRPCCall.rpcError(error)
        }
        return try await GRPCCall.operation(state, plan.kind, collection: c, shard: id, total: plan.total, { op in
            try state.snapshots.recoverShard(c, shard: id, from: op.track(try plan.open()), checksum: checksum)
            return true
        }, respond: { _ in Qdrant_RecoverSnapshotResponse() })
    }

    /// What a recovery will read: checked before the operation is registered, so a bad request
    /// or an unknown stored snapshot is refused (NOT_FOUND, INVALID_ARGUMENT) before it starts.
    struct RecoverPlan: Sendable {
        var kind: SnapshotOperation.Kind
        var total: Int64?
        var open: @Sendable () throws -> any ByteSource
    }

    static func plan(_ request: Qdrant_RecoverShardSnapshotRequest, state: APIState) throws -> RecoverPlan {
        try GRPCCall.rejectUnknownFields(request)
        try GRPCCall.rejectUnknownFields(request.snapshotLocation)
        let priority: String
        switch request.snapshotPriority {
        case .noSync: priority = "no_sync"
        case .snapshot: priority = "snapshot"
        case .replica: priority = "replica"
        case .shardTransfer, .UNRECOGNIZED: priority = "\(request.snapshotPriority)"
        }
        try RecoverRequest.validate(priority: priority, checksum: request.hasChecksum ? request.checksum : nil)
        switch request.snapshotLocation.location {
        case .url(let url)?:
            let open = try RecoverRequest.shardURLSource(
                location: url, apiKey: request.hasApiKey ? request.apiKey : nil, config: state.config)
            return RecoverPlan(kind: .url_recover, total: nil, open: open)
        case .path(let name)?:
            let scope = SnapshotScope.shard(collection: request.collectionName, shard: Int(request.shardID))
            let total = try state.snapshots.describe(scope, name: name).size
            return RecoverPlan(kind: .stored_recover, total: total) { try state.snapshots.open(scope, name: name) }
        case nil:
            throw GRPCConvert.badInput("snapshot_location needs a url or a path")
        }
    }
}

/// `qdrant.Qdrant/HealthCheck`: the same title and version as REST's `GET /`.
struct QdrantGRPC: Qdrant_Qdrant.SimpleServiceProtocol {
    func healthCheck(request: Qdrant_HealthCheckRequest, context: ServerContext) async throws -> Qdrant_HealthCheckReply {
        let info = RootInfo()
        var reply = Qdrant_HealthCheckReply()
        reply.title = info.title
        reply.version = info.version
        return reply
    }
}
