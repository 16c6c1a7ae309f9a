import ArgumentParser

/// The root `qdb` command: a vector store and snapshot toolkit that speaks Qdrant's REST API.
public struct QDB: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "qdb",
        abstract: "A vector store and snapshot toolkit that speaks Qdrant's REST API.",
        discussion: HelpText.discussion("""
            qdb serve runs a server that speaks Qdrant's REST API over a storage directory. The
            other commands work offline on a stopped server's --storage, or against a running
            server with --url (env QDB_URL). Data goes to stdout, diagnostics to stderr, and - means
            stdin or stdout, so snapshots stream through pipes and ssh.
            """, examples: """
            qdb serve --storage /var/lib/qdb --http-port 6333
            qdb snapshot create c --url $QDB_URL -o - | ssh backup 'cat > c.snapshot'
            qdb verify /backups/*.snapshot --json
            qdb manifest --url $REPLICA c --shard 0 \\
              | qdb snapshot partial --url $PRIMARY c --shard 0 \\
              | qdb restore - --url $REPLICA --collection c --shard 0 --partial
            """),
        version: "0.1.0",
        subcommands: [
            Serve.self, Snapshot.self, Shard.self, Restore.self, Verify.self, Manifest.self, Prune.self, Operation.self,
        ]
    )
    public init() {}
}
