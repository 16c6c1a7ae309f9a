import Engine
import Logging

/// Wraps the server's log handler so that no log line shows an absolute path of the server:
/// the message and every metadata value pass through `PathRedaction` (storage, snapshots and
/// temp directories become `<storage>`, `<snapshots>`, `<temp>`).
struct RedactingLogHandler: LogHandler {
    var inner: any LogHandler

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(PathRedaction.redact("\(event.message)"))"
        event.metadata = event.metadata?.mapValues(RedactingLogHandler.redact)
        inner.log(event: event)
    }

    static func redact(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): return .string(PathRedaction.redact(s))
        case .stringConvertible(let c): return .string(PathRedaction.redact("\(c)"))
        case .dictionary(let d): return .dictionary(d.mapValues(redact))
        case .array(let a): return .array(a.map(redact))
        }
    }
}
