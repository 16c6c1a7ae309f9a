import ArgumentParser
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Snapshot {
    /// `qdb snapshot partial`: an incremental shard snapshot against a holder's manifest.
    struct Partial: QDBCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a partial snapshot: only what a manifest's holder lacks.",
            discussion: HelpText.discussion("""
                Reads the holder's manifest (qdb manifest ... --shard N) from --manifest or stdin and
                writes an archive with the segment files the holder lacks or holds older, plus
                the shard's current manifest, so `qdb restore --partial` can also delete what is
                gone. When the holder is already up to date nothing is written and the exit
                status is 3.
                """, examples: """
                qdb manifest --url $REPLICA c --shard 0 \\
                  | qdb snapshot partial --url $PRIMARY c --shard 0 \\
                  | qdb restore - --url $REPLICA --collection c --shard 0 --partial
                qdb snapshot partial c --shard 0 --manifest replica.json -o delta.snapshot
                """))
        @Argument(help: "Collection name.", completion: CollectionCompletion.kind) var collection: String
        @Option(name: .customLong("shard"), help: "Shard id.") var shard: Int
        @Option(name: .customLong("manifest"), help: "The holder's manifest: a JSON file, or - for stdin (default).")
        var manifest = "-"
        @Option(name: [.customShort("o"), .customLong("output")], help: "Where to write the archive: a new file, or - for stdout (default).")
        var output = "-"
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            let theirs = try Manifest.load(manifest)
            if let remote = target.remote {
                let sink = out.reporting(try Stdout.sink(for: output), "partial snapshot")
                let changed: Bool
                do {
                    changed = try remote.createPartial(collection: collection, shard: shard, manifest: try theirs.json(), to: sink)
                    try sink.close()
                } catch {
                    try? sink.close()
                    if output != "-" { unlink(output) }
                    throw error
                }
                if !changed {
                    if output != "-" { unlink(output) }
                    throw upToDate()
                }
                return
            }
            let partial = try target.openStorage().preparePartialSnapshot(collection, shard: shard, against: theirs)
            guard !partial.isEmpty else { throw upToDate() }
            let sink = out.reporting(try Stdout.sink(for: output), "partial snapshot")
            do {
                try partial.write(to: sink)
                try sink.close()
            } catch {
                try? sink.close()
                if output != "-" { unlink(output) }
                throw error
            }
        }

        func upToDate() -> CommandFailure {
            CommandFailure(ExitStatus.upToDate, "shard \(shard) of \(collection): no changes, the holder is up to date")
        }
    }
}
