import Engine
import Hummingbird
import Logging

/// Builds the router: middleware (errors, then auth) and every route. Separate from
/// `buildApplication` so tests can drive it in-process with any storage.
public func buildRouter(
    storage: Storage, config: ServeConfig, metrics: ServerMetrics = ServerMetrics()
) -> Router<BasicRequestContext> {
    let store = config.snapshotStore()
    let state = APIState(storage: storage, config: config, snapshots: SnapshotService(storage: storage, store: store))
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware(metrics: metrics))
    router.add(middleware: AuthMiddleware(keys: APIKeys(apiKey: config.apiKey, readOnlyKey: config.readOnlyApiKey)))
    router.addServiceRoutes(state, metrics: metrics)
    router.addCollectionRoutes(state)
    router.addPointRoutes(state)
    router.addSnapshotRoutes(state)
    router.addShardAndFullSnapshotRoutes(state)
    router.addPartialSnapshotRoutes(state)
    return router
}

/// Builds the HTTP application for `qdb serve`.
public func buildApplication(
    storage: Storage, config: ServeConfig, metrics: ServerMetrics, logger: Logger
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(storage: storage, config: config, metrics: metrics),
        server: .http1(configuration: .init(
            additionalChannelHandlers: [ExpectContinueHandler(keys: APIKeys(apiKey: config.apiKey, readOnlyKey: config.readOnlyApiKey))])),
        configuration: .init(address: .hostname(config.host, port: config.httpPort), serverName: "qdb"),
        logger: logger)
}
