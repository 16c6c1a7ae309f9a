import ArgumentParser

/// `qdb shard`: shard snapshots (not built yet).
struct Shard: QDBCommand {
    static let configuration = CommandConfiguration(
        abstract: "Shard snapshots: create, list, download, delete, recover (not implemented yet).",
        discussion: ExitStatus.helpSection)

    func execute() async throws {
        throw CommandFailure(ExitStatus.failure, "`qdb shard` is not implemented yet (planned with shard snapshots); use collection snapshots meanwhile")
    }
}

/// `qdb manifest`: shard manifests for partial snapshots (not built yet).
struct Manifest: QDBCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print or diff shard manifests for partial snapshots (not implemented yet).",
        discussion: ExitStatus.helpSection)

    func execute() async throws {
        throw CommandFailure(ExitStatus.failure, "`qdb manifest` is not implemented yet (planned with partial snapshots)")
    }
}
