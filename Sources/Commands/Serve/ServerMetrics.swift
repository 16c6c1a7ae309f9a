import Engine
import Foundation
import Metrics
import Prometheus

/// The server's Prometheus registry, with Qdrant's metric names (reference §5). `qdb serve`
/// bootstraps swift-metrics with this registry, so metrics the engine records through
/// swift-metrics appear on `/metrics` beside the server's own.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let pointsGauges = NIOLockedPoints()

    /// Bootstraps the process-wide `MetricsSystem` with this registry (once per process).
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    public init(version: String = qdbVersion) {
        registry.makeGauge(
            descriptor: .init(metricName: "app", unitName: "info", helpText: "information about qdb server"),
            labels: [("name", "qdb"), ("version", version)]
        ).set(Double(1))
    }

    func countResponse(method: String, endpoint: String, status: Int) {
        registry.makeCounter(
            descriptor: .init(metricName: "rest_responses", unitName: "total", helpText: "total number of responses"),
            labels: [("method", method), ("endpoint", endpoint), ("status", String(status))]
        ).increment()
    }

    /// Refreshes the storage gauges and renders the registry as Prometheus text.
    func render(storage: Storage) -> [UInt8] {
        let names = storage.collectionNames()
        registry.makeGauge(
            descriptor: .init(metricName: "collections", unitName: "total", helpText: "number of collections")
        ).set(Double(names.count))
        var counts: [String: Int] = [:]
        for n in names { counts[n] = (try? storage.collection(n).count(filter: nil)) ?? 0 }
        pointsGauges.update(counts, registry: registry)
        return registry.emitToBuffer()
    }
}

/// Per-collection `collection_points{id}` gauges; gauges of deleted collections are unregistered.
final class NIOLockedPoints: @unchecked Sendable {
    private let lock = NSLock()
    private var gauges: [String: Prometheus.Gauge] = [:]

    func update(_ counts: [String: Int], registry: PrometheusCollectorRegistry) {
        lock.withLock {
            for (name, gauge) in gauges where counts[name] == nil {
                registry.unregisterGauge(gauge)
                gauges[name] = nil
            }
            for (name, n) in counts {
                let g = gauges[name] ?? registry.makeGauge(
                    descriptor: .init(metricName: "collection", unitName: "points", helpText: "approximate amount of points per collection"),
                    labels: [("id", name)])
                gauges[name] = g
                g.set(Double(n))
            }
        }
    }
}
