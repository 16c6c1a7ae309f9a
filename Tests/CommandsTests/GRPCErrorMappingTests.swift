import Engine
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Hummingbird
import HummingbirdTesting
import Logging
import QdrantProto
import Testing
@testable import Commands

/// The gRPC services in-process (grpc-swift's in-process transport), beside the REST router on
/// the same storage: failures carry the gRPC code Qdrant uses and the same message as REST, and
/// API keys are enforced as on REST.
@Suite struct GRPCErrorMappingTests {
    let dir = NSTemporaryDirectory() + "qdb-grpc-\(UUID().uuidString)"

    /// Runs `body` with a client of a gRPC server over `storage` with `config`.
    func withGRPC(
        _ storage: Storage, _ config: ServeConfig, _ body: @Sendable (GRPCClient<InProcessTransport.Client>) async throws -> Void
    ) async throws {
        let state = APIState(storage: storage, config: config)
        let transport = InProcessTransport()
        let server = GRPCServer(
            transport: transport.server, services: GRPCServerService.services(state),
            interceptors: GRPCServerService.interceptors(config))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            do {
                try await withGRPCClient(transport: transport.client) { client in try await body(client) }
            } catch {
                server.beginGracefulShutdown()
                throw error
            }
            server.beginGracefulShutdown()
        }
    }

    /// The RPCError a call failed with (nil if it succeeded).
    static func failure(_ call: () async throws -> Void) async -> RPCError? {
        do {
            try await call()
            return nil
        } catch let e as RPCError {
            return e
        } catch {
            Issue.record("expected an RPCError, got \(error)")
            return nil
        }
    }

    /// The REST error envelope's status and message for one request.
    static func restError(_ router: Router<BasicRequestContext>, _ uri: String, _ method: HTTPRequest.Method, _ body: String = "") async throws -> (Int, String) {
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: uri, method: method, body: ByteBuffer(string: body)) { r in
                let json = try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any]
                return (r.status.code, ((json?["status"] as? [String: Any])?["error"] as? String) ?? "")
            }
        }
    }

    static func createRequest(_ name: String, size: UInt64 = 2) -> Qdrant_CreateCollection {
        var c = Qdrant_CreateCollection()
        c.collectionName = name
        var p = Qdrant_VectorParams()
        p.size = size
        p.distance = .dot
        c.vectorsConfig.params = p
        return c
    }

    @Test func errorsCarryQdrantCodesAndRESTMessages() async throws {
        let storage = try Storage.open(StorageOptions(path: dir), logger: Logger(label: "test"))
        defer { try? storage.close() }
        var config = ServeConfig()
        config.snapshotsPath = dir + "/snapshots"
        let router = buildRouter(storage: storage, config: config)
        let rest404 = try await Self.restError(router, "/collections/missing", .get)
        let rest409Setup = try await Self.restError(router, "/collections/c", .put, #"{"vectors":{"size":2,"distance":"Dot"}}"#)
        #expect(rest409Setup.0 == 200)
        let rest409 = try await Self.restError(router, "/collections/c", .put, #"{"vectors":{"size":2,"distance":"Dot"}}"#)
        let rest400 = try await Self.restError(router, "/collections/c/points?wait=true", .put, #"{"points":[{"id":1,"vector":[1,2,3]}]}"#)
        let restSnap404 = try await Self.restError(router, "/collections/c/snapshots/nope.snapshot", .delete)
        #expect(rest404.0 == 404 && rest409.0 == 409 && rest400.0 == 400 && restSnap404.0 == 404)

        try await withGRPC(storage, config) { client in
            let collections = Qdrant_Collections.Client(wrapping: client)
            let points = Qdrant_Points.Client(wrapping: client)
            let snapshots = Qdrant_Snapshots.Client(wrapping: client)

            var get = Qdrant_GetCollectionInfoRequest()
            get.collectionName = "missing"
            let notFound = await Self.failure { _ = try await collections.get(get) }
            #expect(notFound?.code == .notFound)
            #expect(notFound?.message == rest404.1)

            let exists = await Self.failure { _ = try await collections.create(Self.createRequest("c")) }
            #expect(exists?.code == .alreadyExists)
            #expect(exists?.message == rest409.1)

            var upsert = Qdrant_UpsertPoints()
            upsert.collectionName = "c"
            upsert.wait = true
            var point = Qdrant_PointStruct()
            point.id.num = 1
            point.vectors.vector.dense.data = [1, 2, 3]
            upsert.points = [point]
            let badDim = await Self.failure { _ = try await points.upsert(upsert) }
            #expect(badDim?.code == .invalidArgument)
            #expect(badDim?.message == rest400.1)

            var del = Qdrant_DeleteSnapshotRequest()
            del.collectionName = "c"
            del.snapshotName = "nope.snapshot"
            let noSnapshot = await Self.failure { _ = try await snapshots.delete(del) }
            #expect(noSnapshot?.code == .notFound)
            #expect(noSnapshot?.message == restSnap404.1)
        }
    }

    @Test func unknownFieldsAreRefusedNotIgnored() async throws {
        let storage = try Storage.open(StorageOptions(path: dir), logger: Logger(label: "test"))
        defer { try? storage.close() }
        // Field 17 of qdrant.CreateCollection is strict_mode_config, which qdb does not serve:
        // a length-delimited field (tag 17<<3|2 = 0x8A 0x01) holding an empty message.
        var bytes = try Self.createRequest("sparse").serializedBytes() as [UInt8]
        bytes += [0x8A, 0x01, 0x00]
        let request = try Qdrant_CreateCollection(serializedBytes: bytes)
        #expect(GRPCCall.unknownFieldNumbers([UInt8](request.unknownFields.data)) == [17])
        var config = ServeConfig()
        config.snapshotsPath = dir + "/snapshots"
        try await withGRPC(storage, config) { client in
            let collections = Qdrant_Collections.Client(wrapping: client)
            let e = await Self.failure { _ = try await collections.create(request) }
            #expect(e?.code == .invalidArgument)
            #expect(e?.message == "Wrong input: qdb does not support field 17 of qdrant.CreateCollection")
            var exists = Qdrant_CollectionExistsRequest()
            exists.collectionName = "sparse"
            let created = try await collections.collectionExists(exists).result.exists
            #expect(created == false)

            // Refused before the engine is called: still INVALID_ARGUMENT, not INTERNAL.
            var snapshotBytes = try Qdrant_CreateSnapshotRequest.with { $0.collectionName = "sparse" }.serializedBytes() as [UInt8]
            snapshotBytes += [0x28, 0x01]  // field 5, varint 1
            let snapshot = try Qdrant_CreateSnapshotRequest(serializedBytes: snapshotBytes)
            let e2 = await Self.failure { _ = try await Qdrant_Snapshots.Client(wrapping: client).create(snapshot) }
            #expect(e2?.code == .invalidArgument)
            #expect(e2?.message == "Wrong input: qdb does not support field 5 of qdrant.CreateSnapshotRequest")
        }
    }

    @Test func apiKeysAsOnREST() async throws {
        let storage = try Storage.open(StorageOptions(path: dir), logger: Logger(label: "test"))
        defer { try? storage.close() }
        var config = ServeConfig()
        config.snapshotsPath = dir + "/snapshots"
        config.apiKey = "admin"
        config.readOnlyApiKey = "reader"
        try await withGRPC(storage, config) { client in
            let collections = Qdrant_Collections.Client(wrapping: client)
            let snapshots = Qdrant_Snapshots.Client(wrapping: client)
            let root = Qdrant_Qdrant.Client(wrapping: client)
            let list = Qdrant_ListCollectionsRequest()

            let none = await Self.failure { _ = try await collections.list(list) }
            #expect(none?.code == .unauthenticated)
            #expect(none?.message == "Must provide an API key or an Authorization bearer token")
            let wrong = await Self.failure { _ = try await collections.list(list, metadata: ["api-key": "nope"]) }
            #expect(wrong?.code == .unauthenticated)
            #expect(wrong?.message == "Invalid API key or JWT")

            // The health check stays open, as REST's `GET /`.
            #expect(try await root.healthCheck(Qdrant_HealthCheckRequest()).version == qdrantCompatibleVersion)

            let readOnlyCreate = await Self.failure {
                _ = try await collections.create(Self.createRequest("ro"), metadata: ["api-key": "reader"])
            }
            #expect(readOnlyCreate?.code == .permissionDenied)
            #expect(readOnlyCreate?.message == "Forbidden: Global manage access is required")
            let readOnlySnapshot = await Self.failure {
                _ = try await snapshots.createFull(Qdrant_CreateFullSnapshotRequest(), metadata: ["api-key": "reader"])
            }
            #expect(readOnlySnapshot?.code == .permissionDenied)

            #expect(try await collections.create(Self.createRequest("rw"), metadata: ["authorization": "Bearer admin"]).result)
            let names = try await collections.list(list, metadata: ["api-key": "reader"]).collections.map(\.name)
            #expect(names == ["rw"])
            #expect(try await snapshots.listFull(Qdrant_ListFullSnapshotsRequest(), metadata: ["api-key": "reader"]).snapshotDescriptions.isEmpty)
        }
    }
}
