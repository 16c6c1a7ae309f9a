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
            let service = try target.service()
            if let output {
                let sink = try Stdout.sink(for: output)
                let hashing = HashingSink(sink)
                let meta = try service.storage.writeCollectionSnapshot(collection, to: hashing)
                try hashing.close()
                struct Streamed: Encodable { var output: String; var size: Int; var sha256: String; var points: Int }
                let result = Streamed(output: output, size: hashing.byteCount, sha256: hashing.finalizeHex(), points: meta.points)
                if output == "-" {
                    if !out.quiet { printError("qdb: wrote \(result.size) bytes, sha256 \(result.sha256)") }
                } else {
                    try out.emit(result, text: "\(output)\t\(result.size)\t\(result.sha256)")
                }
                return
            }
            let d = try service.createCollectionSnapshot(collection)
            try out.emit(d, text: "\(d.name)\t\(d.size)\t\(d.checksum ?? "-")")
        }
    }

    struct List: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "List a collection's snapshots.", discussion: ExitStatus.helpSection)

        @Argument(help: "Collection name.") var collection: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            let list = try target.service().list(.collection(collection))
            try out.emit(list, text: list.map { "\($0.name)\t\($0.size)\t\($0.creation_time ?? "-")\t\($0.checksum ?? "-")" }.joined(separator: "\n"))
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
            let path = try LocalSnapshotStore(root: target.snapshotsRoot).localPath(.collection(collection), name: name)
            let sink = try Stdout.sink(for: output)
            let source = try FileDescriptorSource(path: path)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = try source.read(into: buffer)
                if n == 0 { break }
                try sink.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
            try sink.close()
        }
    }

    struct Delete: QDBCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored snapshot and its sidecar.", discussion: ExitStatus.helpSection)

        @Argument(help: "Collection name.") var collection: String
        @Argument(help: "Snapshot name.") var name: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var out: OutputOptions

        func execute() async throws {
            try target.service().delete(.collection(collection), name: name)
            try out.emit(["deleted": name], text: "")
        }
    }
}
