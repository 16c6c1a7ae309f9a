import ArgumentParser
import Engine
import Foundation

/// `qdb manifest`: shard manifests, the input of partial snapshots.
struct Manifest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a shard's or snapshot's manifest, or diff two manifests.",
        discussion: HelpText.discussion("""
            A manifest says which segments and file versions a shard holds (Qdrant's format, plus
            qdb's per-file sha256 and sizes). Feed it to `qdb snapshot partial` on the primary to
            get only what the holder lacks.
            """, examples: """
            qdb manifest --url $REPLICA c --shard 0 \\
              | qdb snapshot partial --url $PRIMARY c --shard 0 \\
              | qdb restore - --url $REPLICA --collection c --shard 0 --partial
            qdb manifest backup.snapshot              # the manifest an archive describes
            qdb manifest diff old.json new.json   # files added, changed, removed, bytes
            """),
        subcommands: [Show.self, Diff.self], defaultSubcommand: Show.self)

    struct Show: QDBCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the manifest of a shard (--shard) or of a snapshot (or -).",
            discussion: HelpText.discussion(examples: """
                qdb manifest show c --shard 0 --url $REPLICA > replica.json
                qdb manifest show c --shard 0 --storage /var/lib/qdb/storage
                qdb manifest show backup.snapshot
                """))
        @Argument(help: "A collection name (with --shard), or a snapshot file, or - for stdin.") var source: String
        @Option(name: .customLong("shard"), help: "Shard id: read the live shard of collection SOURCE (or this shard of a collection snapshot file).")
        var shard: Int?
        @Flag(name: .customLong("file"), help: "SOURCE is a snapshot file even though --shard is given (a collection snapshot).")
        var file = false
        @OptionGroup var target: TargetOptions

        func execute() async throws {
            let manifest: SnapshotManifest
            if let shard, !file {
                if let remote = target.remote {
                    let c = RemoteClient.pathSegment(source)
                    let bytes = try remote.json("GET", "/collections/\(c)/shards/\(shard)/snapshot/partial/manifest")
                    manifest = try RemoteSnapshotActions.decode(SnapshotManifest.self, bytes)
                } else {
                    manifest = try target.openStorage().shardManifest(source, shard: shard)
                }
            } else {
                let (input, _) = try openSource(source)
                manifest = try ArchiveManifest.read(input, shard: shard).0
            }
            Stdout.write(String(decoding: try manifest.json(), as: UTF8.self) + "\n")
        }
    }

    struct Diff: QDBCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what a partial snapshot from NEW to OLD would carry and delete.",
            discussion: HelpText.discussion("""
                OLD and NEW are manifest JSON files, snapshot files, or - (stdin, for one of them).
                Exit status 0 whether or not they differ; with --exit-code, 1 when they differ.
                """, examples: """
                qdb manifest diff replica.json primary.json
                qdb manifest --url $PRIMARY c --shard 0 \\
                  | qdb manifest diff old.json - --exit-code
                """))
        @Argument(help: "The holder's manifest (JSON or snapshot file, or -).") var old: String
        @Argument(help: "The source's manifest (JSON or snapshot file, or -).") var new: String
        @Flag(name: .customLong("exit-code"), help: "Exit with 1 when the manifests differ (as git diff --exit-code).")
        var exitCode = false
        @OptionGroup var out: OutputOptions

        func validate() throws {
            if old == "-" && new == "-" { throw ValidationError("only one of OLD and NEW can be stdin") }
        }

        func execute() async throws {
            let diff = ManifestDiff(old: try Manifest.load(old), new: try Manifest.load(new))
            func lines(_ mark: String, _ entries: [ManifestDiff.Entry]) -> [String] {
                entries.map { "\(mark) \($0.path)\($0.bytes.map { "\t\($0)" } ?? "")" }
            }
            let text = (lines("+", diff.added) + lines("~", diff.changed) + lines("-", diff.removed)
                + ["\(diff.added.count) added, \(diff.changed.count) changed, \(diff.removed.count) removed, \(diff.bytes) bytes to send"])
                .joined(separator: "\n")
            try out.emit(diff, text: text)
            if exitCode && !diff.isEmpty { throw ExitCode(1) }
        }
    }

    /// A manifest from a JSON file, a snapshot file, or stdin (either kind, told apart by content).
    static func load(_ spec: String) throws -> SnapshotManifest {
        let input = try PeekedSource(peeking: try openSource(spec).0, count: 512)
        let firstByte = input.head.first { ![0x20, 0x0a, 0x0d, 0x09].contains($0) }
        if firstByte == UInt8(ascii: "{") {
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let m = try buf.withUnsafeMutableBytes { try input.read(into: $0) }
                if m == 0 { break }
                bytes += buf[..<m]
                if bytes.count > 64 << 20 { throw CommandFailure(ExitStatus.dataError, "\(spec): manifest is over 64 MiB") }
            }
            return try SnapshotManifest.parse(bytes)
        }
        return try ArchiveManifest.read(input, shard: nil).0
    }
}

/// A stream whose first bytes were read ahead, to tell what it holds (JSON or an archive, empty
/// or not), and are served again before the rest. `finish()` reaches the underlying transfer.
final class PeekedSource: TransferSource {
    /// The first bytes of the stream (fewer only when the stream is shorter).
    let head: [UInt8]
    private var offset = 0
    private let rest: any ByteSource

    init(peeking rest: any ByteSource, count: Int) throws {
        var head = [UInt8](repeating: 0, count: count)
        var filled = 0
        try head.withUnsafeMutableBytes { buffer in
            while filled < buffer.count {
                let n = try rest.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if n == 0 { break }
                filled += n
            }
        }
        head.removeSubrange(filled...)
        self.head = head
        self.rest = rest
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if offset < head.count {
            let n = min(buffer.count, head.count - offset)
            head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            offset += n
            return n
        }
        return try rest.read(into: buffer)
    }

    func finish() throws { try (rest as? any TransferSource)?.finish() }
}
