import Foundation
import Hummingbird
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// swift-log handler for `--log-format json`: one JSON object per line on stderr,
/// `{"ts","level","label","message", …metadata}` with metadata values as strings (nested
/// dictionaries and arrays as JSON). One `write(2)` per line, so lines from threads never interleave.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: Any] = [
            "ts": JSONLogHandler.timestamp(), "level": event.level.rawValue, "label": label, "message": "\(event.message)",
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (k, v) in merged where object[k] == nil { object[k] = JSONLogHandler.plain(v) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        var line = [UInt8](data) + [0x0A]
        writeFully(STDERR_FILENO, &line)
    }

    static func plain(_ v: Logger.Metadata.Value) -> Any {
        switch v {
        case .string(let s): return s
        case .stringConvertible(let c): return "\(c)"
        case .dictionary(let d): return d.mapValues(plain)
        case .array(let a): return a.map(plain)
        }
    }

    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = tm()
        var secs = tv.tv_sec
        gmtime_r(&secs, &t)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                      t.tm_hour, t.tm_min, t.tm_sec, Int(tv.tv_usec / 1000))
    }
}

/// Logs one line per request: method, path, status, duration and body sizes (from the
/// Content-Length headers when present), at `info`; the outermost middleware, so it sees the
/// status errors were turned into.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let ms = (ContinuousClock.now - start).seconds * 1000
        var meta: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "duration_ms": "\(String(format: "%.2f", ms))",
        ]
        if let n = request.headers[.contentLength] { meta["request_bytes"] = "\(n)" }
        if let n = response.headers[.contentLength] { meta["response_bytes"] = "\(n)" }
        context.logger.info("request", metadata: meta)
        return response
    }
}
