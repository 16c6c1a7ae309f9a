import ArgumentParser
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--progress`: how long transfers report on stderr. `auto` draws a bar when stderr is a
/// terminal and stays silent otherwise; `json` writes JSON Lines for scripts; stdout never
/// carries any of it.
enum ProgressMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    case auto, bar, json, none
}

/// Counts the bytes of one transfer and reports them on stderr: a redrawn bar (bytes, rate,
/// ETA when the total is known) or one JSON object per report
/// (`{"event":"progress","operation":…,"bytes":…,"total":…,"rate_bytes_per_s":…,"eta_s":…,"elapsed_s":…}`,
/// then `"event":"done"`). Reports at most every 0.2 s (bar) or 0.5 s (JSON).
final class ProgressMeter: @unchecked Sendable {
    enum Style { case bar, json }

    let operation: String
    let total: Int64?
    private let style: Style?
    private let start = Date()
    private var bytes: Int64 = 0
    private var lastReport = Date.distantPast
    private var finished = false

    init(operation: String, total: Int64?, mode: ProgressMode, quiet: Bool) {
        self.operation = operation
        self.total = total
        switch (mode, quiet) {
        case (_, true), (.none, _): style = nil
        case (.json, _): style = .json
        case (.bar, _): style = .bar
        case (.auto, _): style = isatty(STDERR_FILENO) != 0 ? .bar : nil
        }
    }

    var enabled: Bool { style != nil }

    func add(_ n: Int) {
        bytes += Int64(n)
        guard let style else { return }
        let now = Date()
        if now.timeIntervalSince(lastReport) >= (style == .bar ? 0.2 : 0.5) {
            lastReport = now
            report(done: false)
        }
    }

    /// The last report (100 % for a bar), once.
    func finish() {
        guard !finished else { return }
        finished = true
        if style != nil { report(done: true) }
    }

    private func report(done: Bool) {
        let elapsed = max(Date().timeIntervalSince(start), 1e-6)
        let rate = Double(bytes) / elapsed
        var eta: Double?
        if let total, total > 0, rate > 0, !done { eta = max(0, Double(total - bytes) / rate) }
        switch style {
        case .json?:
            struct Line: Encodable {
                var event: String; var operation: String; var bytes: Int64; var total: Int64?
                var rate_bytes_per_s: Double; var eta_s: Double?; var elapsed_s: Double

                enum CodingKeys: String, CodingKey { case event, operation, bytes, total, rate_bytes_per_s, eta_s, elapsed_s }

                /// Every key always present; unknown values are `null` (scripts need not test for keys).
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(event, forKey: .event)
                    try c.encode(operation, forKey: .operation)
                    try c.encode(bytes, forKey: .bytes)
                    try c.encode(total, forKey: .total)
                    try c.encode(rate_bytes_per_s, forKey: .rate_bytes_per_s)
                    try c.encode(eta_s, forKey: .eta_s)
                    try c.encode(elapsed_s, forKey: .elapsed_s)
                }
            }
            let line = Line(event: done ? "done" : "progress", operation: operation, bytes: bytes, total: total,
                            rate_bytes_per_s: (rate * 10).rounded() / 10, eta_s: eta.map { ($0 * 10).rounded() / 10 },
                            elapsed_s: (elapsed * 1000).rounded() / 1000)
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            if let data = try? e.encode(line) { printError(String(decoding: data, as: UTF8.self)) }
        case .bar?:
            var text = "\r\(operation) "
            if let total, total > 0 {
                let fraction = min(1, Double(bytes) / Double(total))
                let width = 24
                let filled = Int(fraction * Double(width))
                text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                text += String(format: "%3.0f%% ", fraction * 100)
                text += "\(Self.size(bytes)) / \(Self.size(total))"
            } else {
                text += Self.size(bytes)
            }
            text += "  \(Self.size(Int64(rate)))/s"
            if let eta { text += "  ETA \(Self.clock(eta))" } else if done { text += "  in \(Self.clock(elapsed))" }
            text += "\u{1B}[K"
            if done { text += "\n" }
            writeFully(STDERR_FILENO, text)
        case nil:
            break
        }
    }

    static func size(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024, u < units.count - 1 {
            v /= 1024
            u += 1
        }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

}

/// A source that reports what passes through it; `finish()` at end of stream.
final class ProgressSource: ByteSource, TransferSource {
    let inner: any ByteSource
    let meter: ProgressMeter

    init(_ inner: any ByteSource, meter: ProgressMeter) {
        self.inner = inner
        self.meter = meter
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n == 0 { meter.finish() } else { meter.add(n) }
        return n
    }

    var remainingSize: Int? { inner.remainingSize }

    func finish() throws { try (inner as? any TransferSource)?.finish() }
}

/// A sink that reports what passes through it; the last report on `close()`.
final class ProgressSink: ByteSink {
    let inner: any ByteSink
    let meter: ProgressMeter

    init(_ inner: any ByteSink, meter: ProgressMeter) {
        self.inner = inner
        self.meter = meter
    }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        try inner.write(raw)
        meter.add(raw.count)
    }

    func close() throws {
        try inner.close()
        meter.finish()
    }
}

extension OutputOptions {
    func meter(_ operation: String, total: Int64? = nil) -> ProgressMeter {
        ProgressMeter(operation: operation, total: total, mode: progress, quiet: quiet)
    }

    /// `source` reporting as `operation`; the total is the file's size when `path` is a file.
    func reporting(_ source: any ByteSource, _ operation: String, path: String? = nil) -> any ByteSource {
        let m = meter(operation, total: path.flatMap(Self.fileSize))
        return m.enabled ? ProgressSource(source, meter: m) : source
    }

    func reporting(_ sink: any ByteSink, _ operation: String, total: Int64? = nil) -> any ByteSink {
        let m = meter(operation, total: total)
        return m.enabled ? ProgressSink(sink, meter: m) : sink
    }

    static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard path != "-", stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }
}
