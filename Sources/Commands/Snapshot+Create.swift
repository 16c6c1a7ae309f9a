import ArgumentParser
import Engine

extension Snapshot {
    struct Create: QDBCommand {
        static let configuration = CommandConfiguration(
            abstract: "Snapshot a collection into the snapshots directory, or stream it with -o.",
            discussion: ExitStatus.helpSection)

        @Argument(help: "Collection (or alias) name.") var collection: String
        @Option(name: [.customShort("o"), .customLong("output")], help: "Write the archive to FILE, or - for stdout, instead of storing it.")
        var output: String?
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            try SnapshotActions.create(.collection(collection), output: output, target: target, out: out)
        }
    }

    struct List: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "List a collection's snapshots.", discussion: ExitStatus.helpSection)

        @Argument(help: "Collection name.") var collection: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            try SnapshotActions.list(.collection(collection), target: target, out: out)
        }
    }

    struct Download: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Copy a stored snapshot to FILE or stdout.", discussion: ExitStatus.helpSection)

        @Argument(help: "Collection name.") var collection: String
        @Argument(help: "Snapshot name.") var name: String
        @Option(name: [.customShort("o"), .customLong("output")], help: "FILE, or - for stdout.") var output: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            try SnapshotActions.download(.collection(collection), name: name, output: output, target: target, out: out)
        }
    }

    struct Delete: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored snapshot and its sidecar.", discussion: ExitStatus.helpSection)

        @Argument(help: "Collection name.") var collection: String
        @Argument(help: "Snapshot name.") var name: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            try SnapshotActions.delete(.collection(collection), name: name, target: target, out: out)
        }
    }
}
