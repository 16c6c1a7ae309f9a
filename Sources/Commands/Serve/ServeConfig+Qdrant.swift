import Foundation

/// Qdrant 1.19's own configuration (its shipped `config/config.yaml`, `src/settings.rs`):
/// every key Qdrant knows is accepted by `qdb serve --config`. Keys qdb applies are in
/// `ServeConfig.keys`; the rest are recorded in `ignoredKeys` and logged once at startup, so a
/// Qdrant config file starts qdb while a typo (a key neither knows) still stops it with exit 78.
extension ServeConfig {
    /// Keys Qdrant 1.19 knows that qdb has no meaning for (clustering, telemetry, TLS, engine
    /// tuning qdb's storage does not have).
    static let qdrantOnlyKeys: Set<String> = [
        "storage.on_disk_payload", "storage.update_concurrency", "storage.node_type", "storage.shard_transfer_method",
        "storage.max_collections", "storage.low_memory_mode", "storage.payload.memory", "storage.mmap_advice",
        "storage.update_queue_size", "storage.handle_collection_load_errors", "storage.recovery_mode",
        "storage.hnsw_global_config.healing_threshold",
        "storage.performance.search_timeout_sec", "storage.performance.optimizer_io_budget",
        "storage.performance.update_rate_limit", "storage.performance.incoming_shard_transfers_limit",
        "storage.performance.outgoing_shard_transfers_limit", "storage.performance.async_scorer",
        "storage.performance.io_uring", "storage.performance.max_concurrent_collection_loads",
        "storage.performance.max_concurrent_shard_loads", "storage.performance.max_concurrent_segment_loads",
        // storage.hnsw_index / storage.optimizers / storage.wal keys qdb applies are in ServeConfig+Index.
        "storage.hnsw_index.memory", "storage.hnsw_index.inline_storage",
        "storage.collection.replication_factor", "storage.collection.write_consistency_factor",
        "storage.collection.vectors.on_disk", "storage.collection.vectors.memory",
        "storage.collection.shard_number_per_node", "storage.collection.quantization",
        "service.max_workers", "service.metrics_port", "service.http_keep_alive_timeout_sec",
        "service.http_client_request_timeout_sec", "service.http_client_disconnect_timeout_sec",
        "service.enable_tls", "service.verify_https_client_certificate", "service.alt_api_key", "service.jwt_rbac",
        "service.enforce_internal_auth", "service.hide_jwt_dashboard", "service.static_content_dir",
        "service.enable_static_content", "service.slow_query_secs", "service.hardware_reporting", "service.metrics_prefix",
        "cluster.enabled", "cluster.peer_id", "cluster.grpc_timeout_ms", "cluster.connection_timeout_ms",
        "cluster.resharding_enabled", "cluster.p2p.port", "cluster.p2p.connection_pool_size", "cluster.p2p.enable_tls",
        "cluster.consensus.max_message_queue_size", "cluster.consensus.tick_period_ms",
        "cluster.consensus.bootstrap_timeout_sec", "cluster.consensus.message_timeout_ticks",
        "cluster.consensus.compact_wal_entries",
        "telemetry_disabled", "tls.cert", "tls.key", "tls.ca_cert", "tls.cert_ttl",
    ]

    /// Qdrant sections whose inner keys are all accepted (free-form or long lists): the
    /// optimizer settings, strict mode, quotas, the on-disk logger, GPU, inference, audit, debugger,
    /// feature flags.
    static let qdrantOnlySections = [
        "storage.optimizers.", "storage.optimizers_overwrite.", "storage.collection.strict_mode.", "storage.quotas.",
        "storage.collection.quantization.",
        "logger.on_disk.", "gpu.", "inference.", "audit.", "debugger.", "feature_flags.", "storage.performance.load_concurrency.",
    ]

    /// Whether Qdrant 1.19 knows `key` (qdb does not apply it).
    static func isQdrantOnly(_ key: String) -> Bool {
        qdrantOnlyKeys.contains(key) || qdrantOnlySections.contains { key.hasPrefix($0) }
            || ["gpu", "inference", "audit", "debugger", "feature_flags", "tls", "storage.collection.quantization",
                "storage.optimizers_overwrite", "storage.collection.strict_mode", "storage.quotas"].contains(key)
    }

    /// A Qdrant key whose meaning qdb cannot give and must not silently drop: `service.enable_tls:
    /// true` would leave clients that expect TLS talking plain HTTP.
    static func refuseUnservable(_ key: String, _ raw: Any, source: String) throws {
        guard key == "service.enable_tls", "\(raw)".lowercased() == "true" else { return }
        throw ConfigError("`service.enable_tls: true` in \(source): qdb does not serve TLS; terminate TLS in a proxy in front of it and set enable_tls: false")
    }

    /// Qdrant's `log_level` (a tracing filter such as `INFO` or `warn,hyper=info`; qdb takes its
    /// default level, in any case, and ignores per-module directives) as a swift-log level name.
    static func logLevel(fromQdrant text: String) -> String? {
        let directive = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.contains("=") }
        guard let directive else { return nil }
        switch directive.lowercased() {
        case "trace": return "trace"
        case "debug": return "debug"
        case "info": return "info"
        case "notice": return "notice"
        case "warn", "warning": return "warning"
        case "error": return "error"
        case "critical", "off": return "critical"
        default: return nil
        }
    }
}
