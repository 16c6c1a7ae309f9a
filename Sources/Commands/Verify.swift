import ArgumentParser
import Engine
import Foundation

/// `qdb verify`: check snapshot archives, for cron.
struct Verify: QDBCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify archives: structure, per-entry SHA-256 and sidecar checksum.",
        discussion: HelpText.discussion("""
            Reads each archive once, as a stream. With --deep it also loads the collection in a
            throwaway staging directory and checks the point count. Exit status 0 only when every
            archive passes; 65 when any is corrupt or mismatches its checksum; 66 when one is missing.
            """, examples: """
            qdb verify /backups/*.snapshot --json || alert
            curl -s http://host:6333/collections/c/snapshots/x.snapshot | qdb verify -
            qdb verify s3://backups/snapshots/c/x.snapshot  # and x.snapshot.checksum
            """))

    @Argument(help: "Archives to check; - reads one from stdin.") var files: [String]
    @Option(name: .customLong("checksum"), help: "Expected SHA-256 (for a single archive or stdin).") var checksum: String?
    @Flag(name: .customLong("deep"), help: "Also load each collection in a staging directory and count its points.") var deep = false
    @Flag(name: .customLong("record"), help: "Record each local archive's result beside it (FILE.verification.json), which prune trusts.")
    var record = false
    @Option(name: .customLong("metrics-textfile"), help: "Write Prometheus metrics of the run to PATH (node_exporter's textfile collector).")
    var metricsTextfile: String?
    @OptionGroup var out: OutputOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one archive, or - for stdin") }
        if checksum != nil && files.count > 1 { throw ValidationError("--checksum applies to a single archive") }
    }

    func execute() async throws {
        var reports: [VerifyReport] = []
        var missing = false
        let scratch = NSTemporaryDirectory() + "qdb-verify"
        for file in files {
            guard let (source, name) = try? openSource(file) else {  // path, file://, http(s)://, s3://, -
                missing = true
                reports.append(VerifyReport(source: file, ok: false, error: "no such file"))
                continue
            }
            var expected = checksum
            if expected == nil, S3Target.isS3(file) {
                expected = try? S3Target(file).sidecarChecksum()
            } else if expected == nil, file != "-", let side = try? String(contentsOfFile: name + ".checksum", encoding: .utf8) {
                expected = side.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let reported = out.reporting(source, "verify \(file)", path: name)
            // A local regular file has its whole-file checksum taken from the file itself, beside the entry pass.
            let localFile = source is FileDescriptorSource && file != "-" && isRegularFile(name) ? name : nil
            var report = SnapshotVerifier.verify(
                reported, name: name, expectedChecksum: expected, deep: deep, scratch: scratch, localFile: localFile)
            do {
                try (source as? any TransferSource)?.finish()  // a failed download says why, not "truncated"
            } catch {
                report.ok = false
                report.error = "\(error)"
                missing = missing || ExitStatus.code(for: error) == ExitStatus.notFound
            }
            if record, localFile != nil {
                try VerificationRecord(ok: report.ok, deep: deep, sha256: report.sha256, error: report.error).write(beside: name)
            }
            reports.append(report)
        }
        if let metricsTextfile { try MetricsTextfile.write(metricsTextfile, Verify.metrics(reports)) }
        try out.emit(reports, text: reports.map { r in
            r.ok ? "ok\t\(r.source)\t\(r.kind ?? "?")\t\(r.points ?? 0) points\tchecksum \(r.checksum)"
                : "FAIL\t\(r.source)\t\(r.error ?? "unknown error")"
        }.joined(separator: "\n"))
        if missing { throw ExitCode(ExitStatus.notFound) }
        if reports.contains(where: { !$0.ok }) { throw ExitCode(ExitStatus.dataError) }
    }
}

extension Verify {
    static func metrics(_ reports: [VerifyReport]) -> [MetricsTextfile.Sample] {
        reports.flatMap { r -> [MetricsTextfile.Sample] in
            [.init("qdb_verify_ok", ["source": r.source], r.ok ? 1 : 0, help: "Whether the archive passed verification"),
             .init("qdb_verify_bytes", ["source": r.source], Double(r.bytes), help: "Bytes of the archive read")]
        } + [.init("qdb_verify_last_run_timestamp_seconds", [:], Date().timeIntervalSince1970, help: "When verify last ran")]
    }
}

/// Whether `path` is a regular file (not a fifo or a device, which cannot be read twice).
private func isRegularFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}
