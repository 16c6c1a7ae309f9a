import ArgumentParser

/// Subcommands whose work later issues build. Each says so and exits non-zero; none pretends to work.
protocol PlannedCommand: QDBCommand {
    static var plannedFor: String { get }
}

extension PlannedCommand {
    func execute() async throws {
        throw CommandFailure(
            ExitStatus.failure,
            "`qdb \(Self.configuration.commandName ?? "")` is not implemented yet (planned: \(Self.plannedFor)); use `qdb serve` and its REST API meanwhile")
    }
}

struct Snapshot: PlannedCommand {
    static let plannedFor = "snapshots issue"
    static let configuration = CommandConfiguration(
        abstract: "Create, list, download, delete and upload collection and full snapshots (not implemented yet).",
        discussion: ExitStatus.helpSection)
}

struct Shard: PlannedCommand {
    static let plannedFor = "snapshots issue"
    static let configuration = CommandConfiguration(
        abstract: "Shard snapshots: create, list, download, delete, recover (not implemented yet).",
        discussion: ExitStatus.helpSection)
}

struct Restore: PlannedCommand {
    static let plannedFor = "snapshots issue"
    static let configuration = CommandConfiguration(
        abstract: "Restore a collection from a snapshot file, URL or stdin (not implemented yet).",
        discussion: ExitStatus.helpSection)
}

struct Verify: PlannedCommand {
    static let plannedFor = "snapshots issue"
    static let configuration = CommandConfiguration(
        abstract: "Verify snapshot archives and their checksums (not implemented yet).",
        discussion: ExitStatus.helpSection)
}

struct Manifest: PlannedCommand {
    static let plannedFor = "partial snapshots issue"
    static let configuration = CommandConfiguration(
        abstract: "Print or diff shard manifests for partial snapshots (not implemented yet).",
        discussion: ExitStatus.helpSection)
}
