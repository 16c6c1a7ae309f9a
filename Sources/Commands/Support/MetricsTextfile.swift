import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--metrics-textfile PATH`: Prometheus text format, written to a temp file and renamed, as
/// node_exporter's textfile collector expects.
enum MetricsTextfile {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
        var help: String

        init(_ name: String, _ labels: [String: String], _ value: Double, help: String) {
            (self.name, self.labels, self.value, self.help) = (name, labels, value, help)
        }
    }

    static func render(_ samples: [Sample]) -> String {
        var text = ""
        var described = Set<String>()
        for s in samples {
            if described.insert(s.name).inserted { text += "# HELP \(s.name) \(s.help)\n# TYPE \(s.name) gauge\n" }
            let labels = s.labels.sorted { $0.key < $1.key }.map { k, v in
                "\(k)=\"\(v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n"))\""
            }
            text += s.name + (labels.isEmpty ? "" : "{\(labels.joined(separator: ","))}") + " \(s.value)\n"
        }
        return text
    }

    /// Runs `body` and, with a `path`, writes `qdb_<what>_success` (1 or 0),
    /// `qdb_<what>_duration_seconds`, `qdb_<what>_bytes` (when `body` knows them) and, on success,
    /// `qdb_<what>_last_success_timestamp_seconds`; a failure is rethrown after the file is written.
    static func recording(_ path: String?, _ what: String, _ labels: [String: String], _ body: () throws -> Int64?) throws {
        guard let path else { _ = try body(); return }
        let started = Date()
        func samples(ok: Bool, bytes: Int64?) -> [Sample] {
            var out = [
                Sample("qdb_\(what)_success", labels, ok ? 1 : 0, help: "Whether the last qdb \(what) succeeded"),
                Sample("qdb_\(what)_duration_seconds", labels, Date().timeIntervalSince(started), help: "Duration of the last qdb \(what)"),
            ]
            if let bytes { out.append(Sample("qdb_\(what)_bytes", labels, Double(bytes), help: "Bytes written by the last qdb \(what)")) }
            if ok {
                out.append(Sample("qdb_\(what)_last_success_timestamp_seconds", labels, Date().timeIntervalSince1970,
                                  help: "When qdb \(what) last succeeded"))
            }
            return out
        }
        let bytes: Int64?
        do { bytes = try body() } catch {
            try? write(path, samples(ok: false, bytes: nil))
            throw error
        }
        try write(path, samples(ok: true, bytes: bytes))
    }

    static func write(_ path: String, _ samples: [Sample]) throws {
        let tmp = path + ".tmp-\(getpid())"
        do {
            try Data(render(samples).utf8).write(to: URL(fileURLWithPath: tmp))
            guard rename(tmp, path) == 0 else { throw CommandFailure(ExitStatus.ioError, "cannot rename \(tmp) to \(path)") }
        } catch let e as CommandFailure {
            unlink(tmp)
            throw e
        } catch {
            unlink(tmp)
            throw CommandFailure(ExitStatus.ioError, "cannot write metrics textfile \(path): \(error)")
        }
    }
}
