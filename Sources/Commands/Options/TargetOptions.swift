import ArgumentParser
import Engine
import Foundation
import Logging

/// Where a command works: offline on a storage directory, or against a server (`--url`).
struct TargetOptions: ParsableArguments {
    @Option(name: .customLong("storage"), help: "Storage directory to work on offline (env QDB_STORAGE; default ./storage).", completion: .directory)
    var storage: String?

    @Option(name: [.customLong("snapshots-path"), .customLong("to"), .customLong("from")],
            help: "Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.")
    var snapshotsPath: String?

    @Option(name: .customLong("url"), help: "URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.")
    var url: String?

    @Option(name: .customLong("api-key"), help: "API key for --url (env QDB_API_KEY).")
    var apiKey: String?

    var env: [String: String] { ProcessInfo.processInfo.environment }
    var storagePath: String { storage ?? env["QDB_STORAGE"] ?? "./storage" }
    var snapshotsRoot: String { snapshotsPath ?? env["QDB_SNAPSHOTS"] ?? "./snapshots" }

    /// The server to talk to, when `--url` (or `QDB_URL`) is given.
    /// An explicit `--storage` wins over `QDB_URL` from the environment (an offline command stays
    /// offline); `--url` wins over both.
    var remote: RemoteClient? {
        let target = url ?? (storage == nil ? env["QDB_URL"] : nil)
        return target.map { RemoteClient(baseURL: $0, apiKey: apiKey ?? env["QDB_API_KEY"]) }
    }

    /// Opens the storage offline. A storage held by a running server fails fast (exit 75).
    func openStorage() throws -> Storage {
        var logger = Logger(label: "qdb")
        logger.logLevel = .warning
        return try Storage.open(Engine.StorageOptions(path: storagePath), logger: logger)
    }

    func service(wrapSink: (@Sendable (any ByteSink) -> any ByteSink)? = nil, compression: SnapshotCompression = .none) throws -> SnapshotService {
        SnapshotService(storage: try openStorage(), store: try store(), wrapSink: wrapSink, compression: compression)
    }

    /// The snapshot store: the snapshots directory, or an S3 bucket for `s3://` (see S3Target).
    func store() throws -> any SnapshotStore {
        guard S3Target.isS3(snapshotsRoot) else { return LocalSnapshotStore(root: snapshotsRoot) }
        return try S3Target(snapshotsRoot).store(localTemp: NSTemporaryDirectory() + "qdb-s3")
    }
}

extension SnapshotCompression: ExpressibleByArgument {}

/// Output format flags shared by every command.
struct OutputOptions: ParsableArguments {
    @Flag(name: .customLong("json"), help: "Print one JSON document on stdout.")
    var json = false

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print nothing but data and errors (no progress).")
    var quiet = false

    @Option(name: .customLong("progress"), help: "Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.")
    var progress: ProgressMode = .auto

    /// Prints `value` as JSON (with `--json`) or as the given text lines.
    func emit<T: Encodable>(_ value: T, text: @autoclosure () -> String) throws {
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            Stdout.write(String(decoding: try enc.encode(value), as: UTF8.self) + "\n")
        } else if !quiet {
            let t = text()
            if !t.isEmpty { Stdout.write(t.hasSuffix("\n") ? t : t + "\n") }
        }
    }
}

/// stdout is for data only; archives may go there only when it is not a terminal.
enum Stdout {
    static func write(_ s: String) { writeFully(STDOUT_FILENO, s) }

    /// A sink for `-o FILE` or `-o -` (stdout, refused when it is a terminal).
    static func sink(for output: String) throws -> FileDescriptorSink {
        if output == "-" {
            guard isatty(STDOUT_FILENO) == 0 else {
                throw CommandFailure(ExitStatus.usage, "refusing to write a binary archive to a terminal; redirect stdout or use -o FILE")
            }
            return FileDescriptorSink.standardOutput()
        }
        do {
            return try FileDescriptorSink(creatingFile: output, fsyncOnClose: true)
        } catch {
            throw CommandFailure(ExitStatus.cantCreate, "cannot create \(output): \(error) (it must not exist yet)")
        }
    }
}

/// A source for a path, `file://` or `http(s)://` URL (streamed through libcurl, `apiKey` sent as
/// `api-key`; default `QDB_API_KEY`), `s3://bucket/key` (streamed, credentials from `AWS_*`), or
/// `-` (stdin).
func openSource(_ spec: String, apiKey: String? = ProcessInfo.processInfo.environment["QDB_API_KEY"]) throws -> (any ByteSource, String) {
    if spec == "-" { return (FileDescriptorSource(fd: STDIN_FILENO), "-") }
    if S3Target.isS3(spec) { return (try S3Target(spec).source(), spec) }
    if spec.hasPrefix("http://") || spec.hasPrefix("https://") {
        return (try HTTPSource(url: spec, apiKey: apiKey), spec)
    }
    var path = spec
    if spec.hasPrefix("file://") { path = URL(string: spec)?.path ?? String(spec.dropFirst(7)) }
    guard FileManager.default.fileExists(atPath: path) else {
        throw CommandFailure(ExitStatus.notFound, "no such file: \(path)")
    }
    return (try FileDescriptorSource(path: path), path)
}
