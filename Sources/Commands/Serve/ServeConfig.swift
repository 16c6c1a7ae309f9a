import Engine
import Foundation
import Yams

/// A configuration problem: an unknown key, a bad value, an unreadable file.
public struct ConfigError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    init(_ message: String) { self.message = message }
}

/// `qdb serve`'s settings, with Qdrant's key names. Precedence: flags > env > file > defaults.
/// Env vars are `QDB__SECTION__KEY` (or Qdrant's `QDRANT__SECTION__KEY`), e.g. `QDB__SERVICE__HTTP_PORT`.
public struct ServeConfig: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var httpPort = 6333
    public var grpcPort: Int? = 6334
    public var apiKey: String?
    public var readOnlyApiKey: String?
    public var maxRequestSizeMB = 32
    /// qdb extension: the largest snapshot upload accepted (Qdrant has no cap).
    public var maxUploadSizeMB = 100 * 1024
    public var enableCORS = true
    /// Whether recovery may fetch http(s) URLs (Qdrant's key; off blocks SSRF through recovery).
    public var enableSnapshotURLRecovery = true
    /// qdb extension: the whole-transfer deadline of a URL recovery, in seconds (Qdrant has only
    /// its 60 s inactivity timeout; a peer trickling one byte a second would never end).
    public var urlRecoveryTimeoutSec = 24 * 3600
    /// qdb extension: the lowest average rate a URL recovery may run at, in bytes per second
    /// over any 60 s window (0 keeps only Qdrant's rule: abort after 60 s without a byte).
    public var urlRecoveryMinRateBytes = 1024
    public var storagePath = "./storage"
    public var snapshotsPath = "./snapshots"
    public var tempPath: String?
    /// qdb extension: points an appendable segment holds before it is sealed.
    public var appendableMaxPoints = 100_000
    public var logLevel = "info"
    /// `logger.format`: `text` (one line per event, key=value metadata) or `json` (one object
    /// per line), on stderr.
    public var logFormat = "text"
    /// `storage.snapshots_config.snapshots_storage`: `local` or `s3` (see ServeConfig+S3.swift).
    public var snapshotsStorage = "local"
    /// `storage.snapshots_config.s3_config`.
    public var s3 = S3Settings()
    /// Keys Qdrant knows that qdb accepted without applying (logged once at startup).
    public var ignoredKeys: [String] = []
    /// `storage.hnsw_index` / `storage.optimizers`: defaults of new collections (`ServeConfig+Index`).
    public var collectionDefaults = CollectionDefaults()
    /// `storage.optimizers_overwrite` (`ServeConfig+Index.swift`), as an optimizers config diff.
    public var optimizersOverwrite: [String: JSONValue] = [:]
    /// `storage.performance.optimizer_cpu_budget` / `max_optimization_runtime_threads` (`ServeConfig+Performance`).
    public var optimizer = OptimizerSettings()
    /// `storage.performance.max_search_threads`: the most threads one batch search uses (0 = auto).
    public var maxSearchThreads = 0
    /// `storage.snapshots_config.compression`: how stored snapshots are compressed.
    public var compression = SnapshotCompression.none
    /// `storage.snapshots_config.schedules` (see ServeConfig+Schedules.swift).
    public var schedules: [SnapshotSchedule] = []

    public init() {}

    enum Kind { case string, optionalString, int(ClosedRange<Int>), optionalPort, bool, logLevel, logFormat, snapshotsStorage, schedules, compression }

    static let keys: [String: Kind] = [
        "service.host": .string,
        "service.http_port": .int(0...65535),
        "service.grpc_port": .optionalPort,
        "service.api_key": .optionalString,
        "service.read_only_api_key": .optionalString,
        "service.max_request_size_mb": .int(1...4096),
        "service.max_upload_size_mb": .int(1...16 * 1024 * 1024),
        "service.enable_cors": .bool,
        "service.enable_snapshot_url_recovery": .bool,
        "service.url_recovery_timeout_sec": .int(1...30 * 24 * 3600),
        "service.url_recovery_min_rate_bytes": .int(0...(1 << 30)),
        "storage.storage_path": .string,
        "storage.snapshots_path": .string,
        "storage.temp_path": .optionalString,
        "storage.appendable_max_points": .int(1...100_000_000),
        "log_level": .logLevel,
        "logger.format": .logFormat,
        "storage.snapshots_config.schedules": .schedules,
        "storage.snapshots_config.compression": .compression,
    ].merging(ServeConfig.s3Keys) { a, _ in a }

    /// Loads the config: defaults, then the YAML file (if any), then the environment.
    public static func load(file: String?, environment: [String: String]) throws -> ServeConfig {
        var config = ServeConfig()
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigError("cannot read config file \(file): \(error.localizedDescription)")
            }
            let root: Any?
            do {
                root = try Yams.load(yaml: text)
            } catch {
                throw ConfigError("config file \(file) is not valid YAML: \(error)")
            }
            var flat: [String: Any] = [:]
            if let root {
                guard let map = root as? [String: Any] else { throw ConfigError("config file \(file): the top level must be a mapping") }
                flatten(map, prefix: "", into: &flat)
            }
            for (key, value) in flat.sorted(by: { $0.key < $1.key }) {
                try config.set(key, value, source: "config file \(file)")
            }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            let prefix = name.hasPrefix("QDB__") ? "QDB__" : name.hasPrefix("QDRANT__") ? "QDRANT__" : nil
            guard let prefix else { continue }
            let key = name.dropFirst(prefix.count).components(separatedBy: "__").map { $0.lowercased() }.joined(separator: ".")
            try config.set(key, value, source: "environment variable \(name)")
        }
        try config.validateSnapshotsStorage()
        return config
    }

    private static func flatten(_ map: [String: Any], prefix: String, into out: inout [String: Any]) {
        for (k, v) in map {
            let key = prefix.isEmpty ? k : prefix + "." + k
            if let nested = v as? [String: Any] {
                flatten(nested, prefix: key, into: &out)
            } else {
                out[key] = v
            }
        }
    }

    /// Sets one dotted key from a YAML scalar or an env string, checking its type and range.
    mutating func set(_ key: String, _ raw: Any, source: String) throws {
        if try setCollectionDefault(key, raw, source: source) { return }
        if try setPerformance(key, raw, source: source) { return }
        guard let kind = ServeConfig.keys[key] else {
            if ServeConfig.isQdrantOnly(key) {
                try ServeConfig.refuseUnservable(key, raw, source: source)
                if !ignoredKeys.contains(key) { ignoredKeys.append(key) }
                return
            }
            let known = ServeConfig.keys.keys.sorted().joined(separator: ", ")
            throw ConfigError("unknown configuration key `\(key)` in \(source); known keys: \(known)")
        }
        func bad(_ expected: String) -> ConfigError {
            ConfigError("bad value `\(raw)` for `\(key)` in \(source): expected \(expected)")
        }
        let text: String? = raw is NSNull ? nil : "\(raw)"
        if key.hasPrefix(ServeConfig.s3Prefix) { return try setS3(key, text, bad) }
        switch (kind, key) {
        case (.int(let range), _):
            guard let text, let n = Int(text), range.contains(n) else { throw bad("an integer in \(range)") }
            switch key {
            case "service.http_port": httpPort = n
            case "service.max_request_size_mb": maxRequestSizeMB = n
            case "service.max_upload_size_mb": maxUploadSizeMB = n
            case "service.url_recovery_timeout_sec": urlRecoveryTimeoutSec = n
            case "service.url_recovery_min_rate_bytes": urlRecoveryMinRateBytes = n
            default: appendableMaxPoints = n
            }
        case (.optionalPort, _):
            guard let text else { grpcPort = nil; return }
            guard let n = Int(text), (0...65535).contains(n) else { throw bad("a port number or null") }
            grpcPort = n == 0 ? nil : n
        case (.bool, _):
            guard let text, let b = ["true": true, "false": false][text.lowercased()] else { throw bad("true or false") }
            if key == "service.enable_cors" { enableCORS = b } else { enableSnapshotURLRecovery = b }
        case (.snapshotsStorage, _):
            guard let text, ["local", "s3"].contains(text.lowercased()) else { throw bad("local or s3") }
            snapshotsStorage = text.lowercased()
        case (.logLevel, _):
            guard let text, let level = ServeConfig.logLevel(fromQdrant: text) else {
                throw bad("trace|debug|info|warn|error (any case; also notice, warning, critical)")
            }
            logLevel = level
        case (.compression, _):
            guard let text, let c = SnapshotCompression(rawValue: text.lowercased()) else { throw bad("none or zstd") }
            compression = c
        case (.schedules, _):
            schedules = try ServeConfig.parseSchedules(raw, source: source)
        case (.logFormat, _):
            guard let text, ["text", "json"].contains(text.lowercased()) else { throw bad("text or json") }
            logFormat = text.lowercased()
        case (.string, _):
            guard let text, !text.isEmpty else { throw bad("a non-empty string") }
            switch key {
            case "service.host": host = text
            case "storage.storage_path": storagePath = text
            default: snapshotsPath = text
            }
        case (.optionalString, _):
            let value = (text?.isEmpty ?? true) ? nil : text
            switch key {
            case "service.api_key": apiKey = value
            case "service.read_only_api_key": readOnlyApiKey = value
            default: tempPath = value
            }
        }
    }
}
