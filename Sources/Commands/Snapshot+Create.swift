import ArgumentParser
import Engine

extension Snapshot {
    struct Create: QDBCommand {
        static let configuration = CommandConfiguration(
            abstract: "Snapshot a collection into the snapshots directory, or to -o.",
            discussion: HelpText.discussion(examples: """
                qdb snapshot create products --storage /var/lib/qdb/storage
                qdb snapshot create products --url $QDB_URL -o - | ssh bk 'cat > p.snapshot'
                qdb snapshot create products --url $QDB_URL --json  # {"name", "checksum"...}
                qdb snapshot create products --url $QDB_URL --no-wait  # prints an op id
                """))

        @Argument(help: "Collection (or alias) name.", completion: CollectionCompletion.kind) var collection: String
        @Option(name: [.customShort("o"), .customLong("output")], help: "Write the archive to FILE, or - for stdout, instead of storing it.")
        var output: String?
        @Flag(name: .customLong("no-wait"), help: "With --url: start the snapshot and print its operation id (see qdb operation).")
        var noWait = false
        @Option(name: .customLong("compress"), help: "none (plain tar, which Qdrant reads; default) or zstd.") var compress = SnapshotCompression.none
        @Option(name: .customLong("description"), help: "A description kept with the stored snapshot (shown by list).") var description: String?
        @Option(name: .customLong("label"), help: "KEY=VALUE kept with the stored snapshot; repeatable.") var labels: [String] = []
        @Option(name: .customLong("metrics-textfile"), help: "Write Prometheus metrics of the run to PATH (node_exporter's textfile collector).")
        var metricsTextfile: String?
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            let annotation = try SnapshotActions.annotation(description: description, labels: labels)
            try MetricsTextfile.recording(metricsTextfile, "snapshot", ["collection": collection]) {
                try SnapshotActions.create(
                    .collection(collection), output: output, noWait: noWait, compress: compress, annotation: annotation, target: target, out: out)
            }
        }
    }

    struct List: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "List a collection's snapshots.", discussion: HelpText.discussion(examples: "qdb snapshot list products --url $QDB_URL --json"))

        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            try SnapshotActions.list(.collection(collection), target: target, out: out)
        }
    }

    struct Download: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Copy a stored snapshot to FILE or stdout.", discussion: HelpText.discussion(examples: "qdb snapshot download products NAME --url $QDB_URL -o - | qdb verify -"))

        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @Argument(help: "Snapshot name.") var name: String
        @Option(name: [.customShort("o"), .customLong("output")], help: "FILE, or - for stdout.") var output: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            try SnapshotActions.download(.collection(collection), name: name, output: output, target: target, out: out)
        }
    }

    struct Delete: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored snapshot and its sidecar.", discussion: HelpText.discussion(examples: "qdb snapshot delete products NAME --url $QDB_URL"))

        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @Argument(help: "Snapshot name.") var name: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            try SnapshotActions.delete(.collection(collection), name: name, target: target, out: out)
        }
    }
}
