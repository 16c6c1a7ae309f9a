import ArgumentParser
import Engine
import Foundation

/// `qdb operation`: follow and cancel a server's long snapshot operations.
struct Operation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, follow and cancel a server's snapshot operations.",
        discussion: HelpText.discussion("""
            Every snapshot create, upload and recovery on a server is an operation with an id
            (the Location header and the operation_id field of a wait=false answer). These verbs
            read GET /operations and cancel with DELETE /operations/ID; a cancelled create keeps
            no snapshot and a cancelled recovery leaves the collection as it was.
            """, examples: """
            id=$(qdb snapshot create products --url $QDB_URL --no-wait)
            qdb operation status $id --url $QDB_URL --follow
            qdb operation list --url $QDB_URL --json
            qdb operation cancel $id --url $QDB_URL
            """),
        subcommands: [List.self, Status.self, Cancel.self])

    struct List: QDBCommand {
        static let configuration = CommandConfiguration(
            abstract: "List running and recently finished operations.",
            discussion: HelpText.discussion(examples: "qdb operation list --url $QDB_URL --json"))

        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            let ops = try RemoteOperations(target).list()
            try out.emit(ops, text: ops.map(RemoteOperations.line).joined(separator: "\n"))
        }
    }

    struct Status: QDBCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one operation; with --follow, until it ends.",
            discussion: HelpText.discussion("""
                With --follow, progress goes to stderr (--progress) until the operation ends; the
                exit status is then 0 when it succeeded, 130 when it was cancelled, and 1 when it
                failed.
                """, examples: "qdb operation status ID --url $QDB_URL --follow --progress json"))

        @Argument(help: "Operation id.") var id: String
        @Flag(name: .customLong("follow"), help: "Poll until the operation ends.") var follow = false
        @Option(name: .customLong("interval"), help: "Seconds between polls with --follow (default 0.5).") var interval = 0.5
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func validate() throws {
            guard interval > 0, interval <= 60 else { throw ValidationError("--interval must be between 0 and 60 seconds") }
        }

        func execute() async throws {
            let remote = try RemoteOperations(target)
            let info = follow ? try await remote.follow(id, every: interval, out: out) : try remote.status(id)
            try out.emit(info, text: RemoteOperations.line(info))
            guard follow else { return }
            switch info.phase {
            case .succeeded, .running: return
            case .cancelled: throw ExitCode(ExitStatus.interrupted)
            case .failed: throw ExitCode(ExitStatus.failure)
            }
        }
    }

    struct Cancel: QDBCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a running operation; nothing it started is kept.",
            discussion: HelpText.discussion(examples: "qdb operation cancel ID --url $QDB_URL"))

        @Argument(help: "Operation id.") var id: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            let info = try RemoteOperations(target).cancel(id)
            try out.emit(info, text: RemoteOperations.line(info))
        }
    }
}
