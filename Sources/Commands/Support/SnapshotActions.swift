import ArgumentParser
import Engine
import Foundation

/// The snapshot verbs every scope (collection, shard, full) shares, so the commands stay thin.
enum SnapshotActions {
    /// Stores a snapshot, or streams it to `output` (a file or `-`).
    /// With `noWait` (server only), starts it and prints the operation id instead.
    /// `compress` zstd-compresses what is written (offline, or a -o stream from a server).
    /// Returns the bytes written when known here (offline creates), for `--metrics-textfile`.
    @discardableResult
    static func create(
        _ scope: SnapshotScope, output: String?, noWait: Bool = false, compress: SnapshotCompression = .none,
        annotation: SnapshotAnnotation? = nil, target: TargetOptions, out: OutputOptions
    ) throws -> Int64? {
        if annotation != nil, output != nil {
            throw CommandFailure(ExitStatus.usage, "--description and --label are kept with stored snapshots; drop -o")
        }
        if compress != .none, target.remote != nil, output == nil {
            throw CommandFailure(ExitStatus.usage, "--compress with --url needs -o: a server compresses what it stores by its storage.snapshots_config.compression")
        }
        if noWait {
            guard let remote = target.remote, output == nil else {
                throw CommandFailure(ExitStatus.usage, "--no-wait needs --url (a server runs the operation) and no -o")
            }
            try RemoteSnapshotActions.start(remote, scope, annotation: annotation, out: out)
            return nil
        }
        if let remote = target.remote {
            try RemoteSnapshotActions.create(remote, scope, output: output, compress: compress, annotation: annotation, out: out)
            return nil
        }
        let (mode, quiet) = (out.progress, out.quiet)
        let service = try target.service(wrapSink: { sink in
            let meter = ProgressMeter(operation: "create \(scope)", total: nil, mode: mode, quiet: quiet)
            return meter.enabled ? ProgressSink(sink, meter: meter) : sink
        }, compression: compress)
        guard let output else {
            let d: SnapshotDescription
            switch scope {
            case .collection(let c): d = try service.createCollectionSnapshot(c, annotation: annotation)
            case .shard(let c, let id): d = try service.createShardSnapshot(c, shard: id, annotation: annotation)
            case .full: d = try service.createFullSnapshot(annotation: annotation)
            }
            try out.emit(d, text: "\(d.name)\t\(d.size)\t\(d.checksum ?? "-")")
            return d.size
        }
        let hashing = HashingSink(out.reporting(try Stdout.sink(for: output), "\(scope)"))
        let meta: ArchiveMetadata
        do {
            let sink = try compress.wrap(hashing)
            switch scope {
            case .collection(let c): meta = try service.storage.writeCollectionSnapshot(c, to: sink)
            case .shard(let c, let id): meta = try service.storage.writeShardSnapshot(c, shard: id, to: sink)
            case .full: meta = try service.storage.writeFullSnapshot(to: sink)
            }
            try sink.close()
            try hashing.close()
        } catch {
            try? hashing.close()
            if output != "-" { unlink(output) }  // no file named like a backup that is not one
            throw error
        }
        struct Streamed: Encodable { var output: String; var size: Int; var sha256: String; var points: Int }
        let result = Streamed(output: output, size: hashing.byteCount, sha256: hashing.finalizeHex(), points: meta.points)
        if output == "-" {
            if !out.quiet { printError("qdb: wrote \(result.size) bytes, sha256 \(result.sha256)") }
        } else {
            try out.emit(result, text: "\(output)\t\(result.size)\t\(result.sha256)")
        }
        return Int64(result.size)
    }

    static func list(_ scope: SnapshotScope, target: TargetOptions, out: OutputOptions) throws {
        if let remote = target.remote { return try RemoteSnapshotActions.list(remote, scope, out: out) }
        let list = try target.service().list(scope)
        try out.emit(list, text: list.map(SnapshotActions.line).joined(separator: "\n"))
    }

    /// `--description` and `--label` as an annotation (nil when neither is given).
    static func annotation(description: String?, labels: [String]) throws -> SnapshotAnnotation? {
        do {
            try SnapshotAnnotation.validate(description: description)
            let parsed = try SnapshotAnnotation.parse(labels: labels)
            let a = SnapshotAnnotation(description: description, labels: parsed.isEmpty ? nil : parsed)
            return a.isEmpty ? nil : a
        } catch let e as SnapshotError {
            throw CommandFailure(ExitStatus.usage, e.message)
        }
    }

    /// One listed snapshot: name, size, time, checksum, then description and labels when set.
    static func line(_ d: SnapshotDescription) -> String {
        var fields = [d.name, "\(d.size)", d.creation_time ?? "-", d.checksum ?? "-"]
        if d.description != nil || d.labels != nil {
            fields.append(d.description ?? "-")
            fields.append((d.labels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        }
        return fields.joined(separator: "\t")
    }

    static func download(_ scope: SnapshotScope, name: String, output: String, target: TargetOptions, out: OutputOptions) throws {
        if let remote = target.remote { return try RemoteSnapshotActions.download(remote, scope, name: name, output: output, out: out) }
        let store = try target.store()
        let source = try store.open(scope, name: name)
        let sink = out.reporting(try Stdout.sink(for: output), name, total: (try? store.describe(scope, name: name))?.size)
        do {
            try copy(source, to: sink)
        } catch {
            try? sink.close()
            if output != "-" { unlink(output) }  // no half-written file named like a snapshot
            throw error
        }
    }

    /// Copies a stream in 1 MiB chunks; a download that failed midway throws its own error.
    static func copy(_ source: any ByteSource, to sink: any ByteSink) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            try sink.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        try (source as? any TransferSource)?.finish()
        try sink.close()
    }

    static func delete(_ scope: SnapshotScope, name: String, target: TargetOptions, out: OutputOptions) throws {
        if let remote = target.remote { return try RemoteSnapshotActions.delete(remote, scope, name: name, out: out) }
        try target.service().delete(scope, name: name)
        try out.emit(["deleted": name], text: "")
    }
}
