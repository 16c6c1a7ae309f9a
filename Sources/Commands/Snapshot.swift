import ArgumentParser
import Engine

/// `qdb snapshot`: collection snapshots.
struct Snapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, download and delete collection and full snapshots.",
        discussion: HelpText.discussion("""
            Works offline on a stopped server's --storage and --snapshots-path, or against a
            server with --url. Archives are uncompressed GNU tar in Qdrant's layout plus qdb.json
            (per-entry SHA-256), with a .checksum sidecar when stored.
            """, examples: """
            qdb snapshot create products          # stored in ./snapshots/products/
            qdb snapshot create products -o - | ssh backup 'cat > products.snapshot'
            qdb snapshot create products --to s3://backups  # snapshots/products/...
            qdb snapshot list products --json
            """),
        subcommands: [Create.self, List.self, Download.self, Delete.self, Partial.self, Full.self])
}
