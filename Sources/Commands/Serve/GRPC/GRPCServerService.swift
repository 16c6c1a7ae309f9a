import Engine
import GRPCCore
import GRPCNIOTransportHTTP2TransportServices  // for GRPCNIOTransportCore, which it re-exports
import Logging
import NIOCore
import NIOPosix
import QdrantProto
import ServiceLifecycle

/// The gRPC server of `qdb serve` (Qdrant's port 6334 API): grpc-swift 2 over plaintext HTTP/2 on
/// `service.host:service.grpc_port`, run as a service of the same `ServiceGroup` as the REST
/// server, so SIGTERM/SIGINT stops both; in-flight calls finish before `serve` returns.
/// A port that cannot be bound stops the whole process with the bind error.
///
/// The transport is grpc-swift-nio-transport's `HTTP2ServerTransport.Custom` with a plaintext
/// `ServerBootstrap` listener (`PlaintextListener`), the same pipeline its `Posix` transport
/// builds, without the TLS stack `Posix` links (swift-nio-ssl, swift-certificates, swift-crypto:
/// two BoringSSL builds) that qdb would never use and CI would compile on every run.
struct GRPCServerService: Service {
    let state: APIState
    let host: String
    let port: Int
    let logger: Logger

    init(state: APIState, port: Int, logger: Logger) {
        self.state = state
        self.host = state.config.host
        self.port = port
        self.logger = logger
    }

    /// Every service qdb answers over gRPC.
    static func services(_ state: APIState) -> [any RegistrableRPCService] {
        [QdrantGRPC(), CollectionsGRPC(state: state), PointsGRPC(state: state),
         SnapshotsGRPC(state: state), ShardSnapshotsGRPC(state: state)]
    }

    static func interceptors(_ config: ServeConfig) -> [any ServerInterceptor] {
        [GRPCAuthInterceptor(keys: APIKeys(apiKey: config.apiKey, readOnlyKey: config.readOnlyApiKey))]
    }

    func run() async throws {
        var config = HTTP2ServerTransport.Custom<PlaintextListener>.Config.defaults
        config.rpc.maxRequestPayloadSize = state.config.maxRequestSizeMB * 1024 * 1024
        let transport = HTTP2ServerTransport.Custom(listenerFactory: PlaintextListener(host: host, port: port), config: config)
        let server = GRPCServer(
            transport: transport, services: Self.services(state), interceptors: Self.interceptors(state.config))
        let logger = self.logger
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await server.serve() }
                    // On a failed bind this is nil, and `serve` throws the bind error itself.
                    if let bound = await transport.listeningAddress {
                        logger.info("gRPC listening", metadata: ["address": "\(bound)"])
                    }
                }
            } onGracefulShutdown: {
                server.beginGracefulShutdown()
            }
        } catch {
            throw GRPCServerError(message: "gRPC server on \(host):\(port) (service.grpc_port; 0 disables it) failed: \(error)")
        }
    }
}

/// Binds the gRPC listening socket (plaintext; `host` may be a name or an IPv4/IPv6 address) and
/// lets grpc-swift-nio-transport configure the listener and each accepted HTTP/2 connection.
struct PlaintextListener: HTTP2ServerTransport.ListenerFactory {
    let host: String
    let port: Int

    var eventLoopGroup: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }

    func makeListeningChannel(
        listenerConfigurator: HTTP2ServerTransport.ListenerConfigurator,
        connectionConfigurator: HTTP2ServerTransport.ConnectionConfigurator
    ) async throws -> NIOAsyncChannel<HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never> {
        try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { listenerConfigurator.configure(channel: $0) }
            .bind(host: host, port: port) { connectionConfigurator.configure(channel: $0, tls: .none) }
    }
}

/// The gRPC server could not start (its port is taken, say) or stopped on an error.
struct GRPCServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// API-key auth for gRPC, deciding through the same `APIKeys` as REST: the key comes from the
/// `api-key` metadata or `authorization: Bearer …`. Without a valid key a call fails with
/// UNAUTHENTICATED; with the read-only key, any call that writes fails with PERMISSION_DENIED.
/// `qdrant.Qdrant/HealthCheck` stays open, as REST's `/`.
struct GRPCAuthInterceptor: ServerInterceptor {
    let keys: APIKeys

    static let openMethods: Set<String> = ["qdrant.Qdrant/HealthCheck"]
    /// The calls that only read.
    static let readMethods: Set<String> = [
        "qdrant.Collections/Get", "qdrant.Collections/List", "qdrant.Collections/CollectionExists",
        "qdrant.Collections/ListAliases", "qdrant.Collections/ListCollectionAliases",
        "qdrant.Points/Get", "qdrant.Points/Scroll", "qdrant.Points/Count", "qdrant.Points/Query",
        "qdrant.Points/Search", "qdrant.Points/QueryBatch", "qdrant.Points/QueryGroups", "qdrant.Points/Facet",
        "qdrant.Points/SearchBatch", "qdrant.Points/SearchGroups", "qdrant.Points/Recommend", "qdrant.Points/RecommendBatch",
        "qdrant.Points/RecommendGroups", "qdrant.Points/Discover", "qdrant.Points/DiscoverBatch",
        "qdrant.Points/SearchMatrixPairs", "qdrant.Points/SearchMatrixOffsets",
        "qdrant.Snapshots/List", "qdrant.Snapshots/ListFull",
        "qdrant.ShardSnapshots/List",
    ]

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let method = context.descriptor.fullyQualifiedMethod
        guard keys.enabled, !Self.openMethods.contains(method) else { return try await next(request, context) }
        let presented = APIKeys.presented(
            apiKey: request.metadata[stringValues: "api-key"].first(where: { _ in true }),
            authorization: request.metadata[stringValues: "authorization"].first(where: { _ in true }))
        do {
            try keys.authorize(presented: presented, isRead: Self.readMethods.contains(method))
        } catch {
            throw GRPCCall.rpcError(error)
        }
        return try await next(request, context)
    }
}
