import ArgumentParser

/// The root `qdb` command: a vector store and snapshot toolkit that speaks Qdrant's REST API.
public struct QDB: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "qdb",
        abstract: "A vector store and snapshot toolkit that speaks Qdrant's REST API.",
        version: "0.1.0",
        subcommands: [Serve.self, Snapshot.self, Shard.self, Restore.self, Verify.self, Manifest.self]
    )
    public init() {}
}
