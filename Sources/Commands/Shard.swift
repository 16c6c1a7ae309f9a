import ArgumentParser
import Engine

/// `qdb shard`: per-shard operations.
struct Shard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Shard snapshots: create, list, download, delete, recover.",
        discussion: HelpText.discussion(examples: """
            qdb shard snapshot create products --shard 0 -o - > products-0.snapshot
            qdb shard snapshot recover products products-0.snapshot --shard 0
            """),
        subcommands: [SnapshotGroup.self])

    struct ShardOption: ParsableArguments {
        @Option(name: .customLong("shard"), help: "Shard id.") var shard: Int
    }

    struct SnapshotGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshot", abstract: "Snapshots of one shard.",
            discussion: HelpText.discussion(examples: "qdb shard snapshot list products --shard 0 --url $QDB_URL"),
            subcommands: [Create.self, List.self, Download.self, Delete.self, Recover.self])
    }

    struct Create: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Snapshot one shard, stored or streamed with -o.",
            discussion: HelpText.discussion(examples: "qdb shard snapshot create products --shard 0 --url $QDB_URL -o - > p0.snap"))
        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @OptionGroup var id: ShardOption
        @Option(name: [.customShort("o"), .customLong("output")], help: "FILE, or - for stdout, instead of storing it.") var output: String?
        @Flag(name: .customLong("no-wait"), help: "With --url: start the snapshot and print its operation id.") var noWait = false
        @Option(name: .customLong("compress"), help: "none (plain tar; default) or zstd.") var compress = SnapshotCompression.none
        @Option(name: .customLong("metrics-textfile"), help: "Write Prometheus metrics of the run to PATH.") var metricsTextfile: String?
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions
        func execute() async throws {
            let scope = SnapshotScope.shard(collection: collection, shard: id.shard)
            try MetricsTextfile.recording(metricsTextfile, "snapshot", ["collection": collection, "shard": "\(id.shard)"]) {
                try SnapshotActions.create(scope, output: output, noWait: noWait, compress: compress, target: target, out: out)
            }
        }
    }

    struct List: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "List one shard's snapshots.",
            discussion: HelpText.discussion(examples: "qdb shard snapshot list products --shard 0 --url $QDB_URL --json"))
        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @OptionGroup var id: ShardOption
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions
        func execute() async throws { try SnapshotActions.list(.shard(collection: collection, shard: id.shard), target: target, out: out) }
    }

    struct Download: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Copy a stored shard snapshot to FILE or stdout.",
            discussion: HelpText.discussion(examples: "qdb shard snapshot download products NAME --shard 0 --url $QDB_URL -o s0.snap"))
        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @Argument(help: "Snapshot name.") var name: String
        @OptionGroup var id: ShardOption
        @Option(name: [.customShort("o"), .customLong("output")], help: "FILE, or - for stdout.") var output: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions
        func execute() async throws {
            try SnapshotActions.download(.shard(collection: collection, shard: id.shard), name: name, output: output, target: target, out: out)
        }
    }

    struct Delete: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored shard snapshot.",
            discussion: HelpText.discussion(examples: "qdb shard snapshot delete products NAME --shard 0 --url $QDB_URL"))
        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @Argument(help: "Snapshot name.") var name: String
        @OptionGroup var id: ShardOption
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions
        func execute() async throws {
            try SnapshotActions.delete(.shard(collection: collection, shard: id.shard), name: name, target: target, out: out)
        }
    }

    struct Recover: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Replace one shard's data from a shard snapshot (path, file:// or -).",
            discussion: HelpText.discussion(examples: "qdb shard snapshot recover products p0.snapshot --shard 0 --url $QDB_URL"))
        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @Argument(help: "A path, a file:// URL, or - for stdin.") var source: String
        @OptionGroup var id: ShardOption
        @Option(name: .customLong("checksum"), help: "Expected SHA-256 of the whole archive.") var checksum: String?
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions
        func execute() async throws {
            if let remote = target.remote {
                try RemoteSnapshotActions.recover(remote, .shard(collection: collection, shard: id.shard), source: source, checksum: checksum, out: out)
                try out.emit(["collection": collection, "shard": "\(id.shard)"], text: "recovered shard \(id.shard) of \(collection)")
                return
            }
            let service = try target.service()
            let (raw, path) = try openSource(source)
            let input = out.reporting(raw, "recover shard \(id.shard)", path: path)
            let meta = try service.recoverShard(collection, shard: id.shard, from: input, checksum: checksum)
            try out.emit(["collection": collection, "shard": "\(id.shard)", "points": "\(meta.points)"],
                         text: "recovered shard \(id.shard) of \(collection): \(meta.points) points")
        }
    }
}
