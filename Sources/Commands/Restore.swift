import ArgumentParser
import Engine

/// `qdb restore`: restore a collection from a snapshot archive.
struct Restore: QDBCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a collection, full storage or partial shard snapshot.",
        discussion: HelpText.discussion("""
            The archive is unpacked into a staging directory, verified entry by entry against its
            qdb.json (and against --checksum), and only then swapped in atomically. A failure leaves
            the existing collection exactly as it was.

            s3:// objects stream straight into the unpacker (no local copy); credentials come from
            AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the endpoint from AWS_ENDPOINT_URL, the region
            from AWS_REGION.
            """, examples: """
            qdb restore /backups/products.snapshot --collection products --force
            cat products.snapshot | qdb restore - --collection products_copy
            qdb snapshot partial c --shard 0 --manifest m.json --url $PRIMARY \\
              | qdb restore - --collection c --shard 0 --partial --url $REPLICA
            qdb restore s3://backups/snapshots/products/NAME.snapshot --collection p
            qdb restore full.snapshot --full --storage ./storage
            """))

    @Argument(help: "A path, a file://, http(s):// or s3://bucket/key URL, or - for stdin.") var source: String
    @Option(name: .customLong("collection"), help: "Collection to restore into (a collection snapshot).", completion: CollectionCompletion.kind) var collection: String?
    @Flag(name: .customLong("full"), help: "The archive is a full-storage snapshot: restore every collection and alias in it.") var full = false
    @Flag(name: .customLong("partial"), help: "The archive is a partial snapshot (qdb snapshot partial): apply it to --shard of --collection. An empty stream means nothing to apply (exit 3).")
    var partial = false
    @Option(name: .customLong("shard"), help: "Shard id (with --partial).") var shard: Int?
    @Option(name: .customLong("checksum"), help: "Expected SHA-256 of the whole archive.") var checksum: String?
    @Flag(name: .customLong("force"), help: "Replace the collection if it exists.") var force = false
    @OptionGroup var target: TargetOptions
    @OptionGroup var out: OutputOptions

    func validate() throws {
        if full == (collection != nil) { throw ValidationError("give either --collection NAME or --full") }
        if partial && (shard == nil || full) { throw ValidationError("--partial needs --collection NAME and --shard N") }
        if shard != nil && !partial { throw ValidationError("--shard is for --partial; restore a shard snapshot with qdb shard snapshot recover") }
        if let checksum, !SHA256Hasher.isValidChecksum(checksum) {
            throw ValidationError("--checksum must be 64 hexadecimal characters")
        }
    }

    func execute() async throws {
        if partial, let collection, let shard { return try restorePartial(collection, shard: shard) }
        if let remote = target.remote {
            guard let collection, !full else {
                throw CommandFailure(ExitStatus.usage, "a full-storage snapshot can only be restored offline (--storage) or with qdb serve --storage-snapshot")
            }
            try RemoteSnapshotActions.recover(remote, .collection(collection), source: source, checksum: checksum, out: out)
            try out.emit(["collection": collection], text: "restored \(collection)")
            return
        }
        let storage = try target.openStorage()
        let (raw, path) = try openSource(source, apiKey: target.apiKey ?? target.env["QDB_API_KEY"])
        let input = out.reporting(raw, "restore", path: path)
        let service = SnapshotService(storage: storage, store: LocalSnapshotStore(root: target.snapshotsRoot))
        let meta = try service.withSource(input) { input in
            try full
                ? storage.restoreFull(from: input, checksum: checksum, overwrite: force)
                : storage.restoreCollection(collection!, from: input, checksum: checksum, overwrite: force)
        }
        struct Restored: Encodable { var collection: String?; var points: Int; var kind: String }
        try out.emit(Restored(collection: collection, points: meta.points, kind: meta.kind.rawValue),
                     text: "restored \(collection ?? "full storage"): \(meta.points) points")
    }

    /// Applies a partial snapshot. An empty stream is what `qdb snapshot partial` leaves in a pipe
    /// when the holder is up to date: nothing to apply, exit 3.
    func restorePartial(_ collection: String, shard: Int) throws {
        let peeked = try PeekedSource(peeking: try openSource(source, apiKey: target.apiKey ?? target.env["QDB_API_KEY"]).0, count: 512)
        guard !peeked.head.isEmpty else {
            throw CommandFailure(ExitStatus.upToDate, "no partial snapshot on input: nothing to apply to shard \(shard) of \(collection)")
        }
        let input = out.reporting(peeked, "partial restore", path: source)
        if let remote = target.remote {
            var path = "/collections/\(RemoteClient.pathSegment(collection))/shards/\(shard)/snapshot/partial/recover?wait=true"
            if let checksum { path += "&checksum=\(checksum)" }
            _ = try remote.upload(path, from: input)
            try out.emit(["collection": collection, "shard": "\(shard)"], text: "applied partial snapshot to shard \(shard) of \(collection)")
            return
        }
        let service = try target.service()
        let meta = try service.recoverPartial(collection, shard: shard, from: input, checksum: checksum)  // finishes the input's transfer
        struct Applied: Encodable { var collection: String; var shard: Int; var points: Int; var kind: String }
        try out.emit(Applied(collection: collection, shard: shard, points: meta.points, kind: meta.kind.rawValue),
                     text: "applied partial snapshot to shard \(shard) of \(collection): \(meta.points) points")
    }
}
