import ArgumentParser
import Engine
import Foundation
import Hummingbird
import Logging

/// `qdb serve`: the daemon speaking Qdrant's REST API over one storage directory.
struct Serve: QDBCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Qdrant-compatible REST and gRPC server on a storage.",
        discussion: HelpText.discussion("""
            Settings use Qdrant's key names. Precedence: flags, then environment variables
            QDB__SECTION__KEY (or QDRANT__SECTION__KEY, e.g. QDB__SERVICE__HTTP_PORT=6333), then the
            YAML file given with --config, then defaults (127.0.0.1:6333, gRPC on 6334, ./storage,
            ./snapshots).
            SIGTERM or SIGINT stops the server gracefully: it seals segments and syncs before exiting.
            """, examples: """
            qdb serve --storage /var/lib/qdb/storage --snapshots-path /srv/snapshots
            QDB__SERVICE__API_KEY=secret qdb serve --config /etc/qdb/config.yaml
            qdb serve --snapshot products.snapshot:products --force-snapshot
            """))

    @Option(name: .customLong("config"), help: "YAML config file with Qdrant's keys (service.*, storage.*, log_level).")
    var configFile: String?

    @Option(name: .customLong("storage"), help: "Storage directory (storage.storage_path).")
    var storagePath: String?

    @Option(name: .customLong("snapshots-path"), help: "Snapshots directory (storage.snapshots_path).")
    var snapshotsPath: String?

    @Option(name: .customLong("host"), help: "Address to listen on (service.host).")
    var host: String?

    @Option(name: .customLong("http-port"), help: "REST port (service.http_port).")
    var httpPort: Int?

    @Option(name: .customLong("grpc-port"), help: "gRPC port (service.grpc_port, default 6334; 0 disables gRPC).")
    var grpcPort: Int?

    @Option(name: .customLong("api-key"), help: "API key with full access (service.api_key).")
    var apiKey: String?

    @Option(name: .customLong("read-only-api-key"), help: "API key with read access (service.read_only_api_key).")
    var readOnlyApiKey: String?

    @Option(name: .customLong("log-level"), help: "trace|debug|info|warn|error, any case (log_level).")
    var logLevel: String?

    @Option(name: .customLong("schedules"), help: "Snapshot schedules as a YAML or JSON list (storage.snapshots_config.schedules).")
    var schedules: String?

    @Option(name: .customLong("log-format"), help: "text|json: one line per request and snapshot operation on stderr (logger.format).")
    var logFormat: String?

    @Option(name: [.customLong("snapshot"), .customLong("collection-snapshot")],
            help: "Restore FILE into collection NAME before serving (FILE:NAME, split at the last colon; repeatable).")
    var snapshots: [String] = []

    @Option(name: .customLong("storage-snapshot"), help: "Restore a full-storage snapshot before serving (--snapshot is then ignored).")
    var storageSnapshot: String?

    @Flag(name: [.customShort("f"), .customLong("force-snapshot")], help: "Let --snapshot/--storage-snapshot replace existing collections and aliases.")
    var forceSnapshot = false

    func validate() throws {
        for spec in snapshots {
            guard let colon = spec.lastIndex(of: ":"), colon != spec.startIndex, spec.index(after: colon) != spec.endIndex else {
                throw ValidationError("--snapshot takes FILE:NAME, got `\(spec)`")
            }
            let name = spec[spec.index(after: colon)...]
            if name.contains("/") || name.contains("\\") { throw ValidationError("--snapshot: collection name `\(name)` must not contain / or \\") }
        }
    }

    /// Restores the startup snapshots, each atomically; fails before serving if any fails.
    func restoreStartupSnapshots(into storage: Storage, logger: Logger) throws {
        if let storageSnapshot {
            let meta = try storage.restoreFull(from: try FileDescriptorSource(path: storageSnapshot), checksum: nil, overwrite: forceSnapshot)
            logger.info("restored full snapshot", metadata: ["file": "\(storageSnapshot)", "points": "\(meta.points)"])
            return
        }
        for spec in snapshots {
            let colon = spec.lastIndex(of: ":")!
            let (file, name) = (String(spec[..<colon]), String(spec[spec.index(after: colon)...]))
            let meta = try storage.restoreCollection(name, from: try FileDescriptorSource(path: file), checksum: nil, overwrite: forceSnapshot)
            logger.info("restored collection snapshot", metadata: ["file": "\(file)", "collection": "\(name)", "points": "\(meta.points)"])
        }
    }

    /// The effective config: defaults < file < environment < flags.
    func resolvedConfig() throws -> ServeConfig {
        var c = try ServeConfig.load(file: configFile, environment: ProcessInfo.processInfo.environment)
        let flags: [(String, Any?)] = [
            ("storage.storage_path", storagePath), ("storage.snapshots_path", snapshotsPath),
            ("service.host", host), ("service.http_port", httpPort), ("service.grpc_port", grpcPort), ("service.api_key", apiKey),
            ("service.read_only_api_key", readOnlyApiKey), ("log_level", logLevel), ("logger.format", logFormat),
            ("storage.snapshots_config.schedules", schedules),
        ]
        for case let (key, value?) in flags { try c.set(key, value, source: "command-line flag") }
        return c
    }

    func execute() async throws {
        // A reader that stops early (a client gone, an unpacker that rejected an archive) must
        // surface as EPIPE on the writer, not kill the server.
        signal(SIGPIPE, SIG_IGN)
        let config = try resolvedConfig()
        let json = config.logFormat == "json"
        // No response or log line shows where the server keeps its data.
        PathRedaction.register(config.storagePath, as: "storage")
        PathRedaction.register(config.snapshotsPath, as: "snapshots")
        if let temp = config.tempPath { PathRedaction.register(temp, as: "temp") }
        LoggingSystem.bootstrap { label in
            RedactingLogHandler(inner: json ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label))
        }
        var logger = Logger(label: "qdb")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        if !config.ignoredKeys.isEmpty {
            logger.notice("configuration keys Qdrant knows and qdb does not apply were ignored", metadata: [
                "keys": "\(config.ignoredKeys.sorted().joined(separator: ","))",
            ])
        }
        let storage = try Storage.open(
            StorageOptions(
                path: config.storagePath, sealThreshold: config.appendableMaxPoints,
                optimizersOverwrite: config.optimizersOverwrite.isEmpty ? nil : .object(config.optimizersOverwrite)),
            logger: logger)
        if !config.optimizersOverwrite.isEmpty {
            logger.notice("storage.optimizers_overwrite applies over every collection's optimizer config", metadata: [
                "fields": "\(config.optimizersOverwrite.keys.sorted().joined(separator: ","))",
            ])
        }
        // Upload spools and snapshot temp files a crash left behind are garbage by construction.
        // Now that the directories exist, their resolved spellings are redacted too.
        PathRedaction.register(config.storagePath, as: "storage")
        PathRedaction.register(config.snapshotsPath, as: "snapshots")
        // So are checksum sidecar temps beside stored snapshots.
        TempFiles.sweep(config.snapshotsPath, logger: logger)
        abortStaleS3Uploads(config, logger: logger)
        try restoreStartupSnapshots(into: storage, logger: logger)
        let optimizer = storage.startOptimizer(settings: config.optimizer)
        logger.info("optimizer started", metadata: ["workers": "\(optimizer.workers)", "cpu_budget": "\(optimizer.cpuBudget)"])
        ParallelMap.maxThreads = config.maxSearchThreads
        logger.info("search threads", metadata: [
            "max_search_threads": "\(config.maxSearchThreads)", "batch_width": "\(ParallelMap.width(pieces: .max, limit: config.maxSearchThreads))",
        ])
        logger.info("storage open", metadata: ["path": "\(config.storagePath)", "collections": "\(storage.collectionNames().count)"])
        let metrics = ServerMetrics()
        metrics.bootstrapMetricsSystem()
        let snapshots = SnapshotService(storage: storage, store: config.snapshotStore(), compression: config.compression)
        let runner = ScheduleRunner(service: snapshots, schedules: config.schedules, logger: logger, scratch: storage.tmpDir)
        let app = buildApplication(storage: storage, config: config, metrics: metrics, logger: logger, snapshots: snapshots)
        runner.start()
        do {
            try await app.runService()
        } catch {
            runner.stop()
            try? storage.close()
            throw CommandFailure(ExitStatus.unavailable, "server stopped: \(error)")
        }
        runner.stop()
        logger.info("shutting down: sealing segments")
        try storage.close()
    }
}
