import Engine
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the router: middleware (errors, then auth) and every route. Separate from
/// `buildApplication` so tests can drive it in-process with any storage.
public func buildRouter(
    storage: Storage, config: ServeConfig, metrics: ServerMetrics = ServerMetrics()
) -> Router<BasicRequestContext> {
    buildRouter(state: APIState(storage: storage, config: config), metrics: metrics)
}

extension APIState {
    /// The state REST routes and gRPC services share (one `SnapshotService`, so recoveries of one
    /// collection are serialized whichever API started them).
    init(storage: Storage, config: ServeConfig) {
        self.init(storage: storage, config: config, snapshots: SnapshotService(
            storage: storage, store: config.snapshotStore(), compression: config.compression))
    }
}

func buildRouter(state: APIState, metrics: ServerMetrics) -> Router<BasicRequestContext> {
    let config = state.config
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware(metrics: metrics))
    router.add(middleware: AuthMiddleware(keys: APIKeys(apiKey: config.apiKey, readOnlyKey: config.readOnlyApiKey)))
    let routeTable = RouteTable()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeTable))
    router.addServiceRoutes(state, metrics: metrics)
    router.addCollectionRoutes(state)
    router.addPointRoutes(state)
    router.addVectorRoutes(state)
    router.addNamedVectorRoutes(state)
    router.addSnapshotRoutes(state)
    router.addShardAndFullSnapshotRoutes(state)
    router.addPartialSnapshotRoutes(state)
    router.addOperationRoutes(state)
    router.addDashboardRoutes(state)
    routeTable.load(router.routes)
    return router
}

/// Builds the application for `qdb serve`: the REST server, and beside it in the same service
/// group the gRPC server when `service.grpc_port` is set.
/// `snapshots` is the service the routes use (give it to share its operations registry with
/// the schedules); by default one is made.
public func buildApplication(
    storage: Storage, config: ServeConfig, metrics: ServerMetrics, logger: Logger, snapshots: SnapshotService? = nil
) -> some ApplicationProtocol {
    let state = snapshots.map { APIState(storage: storage, config: config, snapshots: $0) } ?? APIState(storage: storage, config: config)
    let grpc: [any Service] = config.grpcPort.map { [GRPCServerService(state: state, port: $0, logger: logger)] } ?? []
    return Application(
        router: buildRouter(state: state, metrics: metrics),
        server: .http1(configuration: .init(
            additionalChannelHandlers: [
                BulkReadsHandler(),
                ExpectContinueHandler(keys: APIKeys(apiKey: config.apiKey, readOnlyKey: config.readOnlyApiKey)),
            ])),
        configuration: .init(address: .hostname(config.host, port: config.httpPort), serverName: "qdb"),
        services: grpc,
        logger: logger)
}
