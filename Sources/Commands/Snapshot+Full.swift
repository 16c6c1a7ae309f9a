import ArgumentParser
import Engine

extension Snapshot {
    /// `qdb snapshot full`: full-storage snapshots (every collection and alias).
    struct Full: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Full-storage snapshots: every collection and alias in one archive.",
            discussion: HelpText.discussion(
                "Restore one with `qdb restore FILE --full` or `qdb serve --storage-snapshot FILE`.",
                examples: "qdb snapshot full create --storage ./storage -o - > full.snapshot"),
            subcommands: [Create.self, List.self, Download.self, Delete.self])

        struct Create: QDBCommand {
            static let configuration = CommandConfiguration(abstract: "Create a full-storage snapshot.", discussion: HelpText.discussion(examples: "qdb snapshot full create --url $QDB_URL --json"))
            @Option(name: [.customShort("o"), .customLong("output")], help: "FILE, or - for stdout, instead of storing it.") var output: String?
            @Flag(name: .customLong("no-wait"), help: "With --url: start the snapshot and print its operation id.") var noWait = false
            @Option(name: .customLong("compress"), help: "none (plain tar; default) or zstd.") var compress = SnapshotCompression.none
            @Option(name: .customLong("metrics-textfile"), help: "Write Prometheus metrics of the run to PATH.") var metricsTextfile: String?
            @OptionGroup var target: TargetOptions
            @OptionGroup var out: OutputOptions
            func execute() async throws {
                try MetricsTextfile.recording(metricsTextfile, "snapshot", ["scope": "full"]) {
                    try SnapshotActions.create(.full, output: output, noWait: noWait, compress: compress, target: target, out: out)
                }
            }
        }

        struct List: QDBCommand {
            static let configuration = CommandConfiguration(abstract: "List full-storage snapshots.", discussion: HelpText.discussion(examples: "qdb snapshot full list --url $QDB_URL"))
            @OptionGroup var target: TargetOptions
            @OptionGroup var out: OutputOptions
            func execute() async throws { try SnapshotActions.list(.full, target: target, out: out) }
        }

        struct Download: QDBCommand {
            static let configuration = CommandConfiguration(abstract: "Copy a full-storage snapshot to FILE or stdout.", discussion: HelpText.discussion(examples: "qdb snapshot full download NAME --url $QDB_URL -o full.snapshot"))
            @Argument(help: "Snapshot name.") var name: String
            @Option(name: [.customShort("o"), .customLong("output")], help: "FILE, or - for stdout.") var output: String
            @OptionGroup var target: TargetOptions
            @OptionGroup var out: OutputOptions
            func execute() async throws { try SnapshotActions.download(.full, name: name, output: output, target: target, out: out) }
        }

        struct Delete: QDBCommand {
            static let configuration = CommandConfiguration(abstract: "Delete a full-storage snapshot.", discussion: HelpText.discussion(examples: "qdb snapshot full delete NAME --url $QDB_URL"))
            @Argument(help: "Snapshot name.") var name: String
            @OptionGroup var target: TargetOptions
            @OptionGroup var out: OutputOptions
            func execute() async throws { try SnapshotActions.delete(.full, name: name, target: target, out: out) }
        }
    }
}
