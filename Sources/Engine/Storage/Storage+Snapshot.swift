import CQDBSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Storage {
    /// Streams a snapshot of collection `name` (or an alias) to `sink`. Each shard is blocked only
    /// for a seal and a round of hard links; the archive streams with no lock held.
    public func writeCollectionSnapshot(_ name: String, to sink: any ByteSink) throws -> ArchiveMetadata {
        let c = try collection(name)
        return try CollectionSnapshotWriter.write(c, scratch: tmpDir + "/capture-\(UUID().uuidString)", to: sink)
    }

    /// Restores collection `name` from a snapshot stream, atomically.
    ///
    /// The archive is unpacked into a fresh staging directory under `tmpDir`, checked entry by entry
    /// against `qdb.json` (and against `checksum`, the SHA-256 of the whole stream, when given),
    /// laid out and test-opened. Only then is it swapped in: `renameat2(RENAME_EXCHANGE)` when the
    /// collection exists, `rename` when it does not. A failure or a crash at any point before the
    /// swap leaves the existing collection exactly as it was; after it, the new one is complete.
    /// An existing collection keeps its config; the snapshot must have the same vectors and
    /// shard count (as Qdrant). With `overwrite` false an existing collection is an error.
    @discardableResult
    public func restoreCollection(
        _ name: String, from source: any ByteSource, checksum: String?, overwrite: Bool = true
    ) throws -> ArchiveMetadata {
        try Storage.validateName(name, what: "collection")
        let staging = tmpDir + "/restore-\(UUID().uuidString)"
        defer { FileIO.removeTree(staging) }
        let unpacked = staging + "/collection"
        let started = ContinuousClock.now
        // Unpacked without the final fsync: the tree is synced on a second thread while this one
        // lays it out and test-opens it, and the swap waits for both.
        let meta = try SnapshotUnpacker.unpack(source, into: unpacked, checksum: checksum, expecting: .collection, sync: false)
        let unpackedAt = ContinuousClock.now
        var config = try SnapshotError.decodeEntry(CollectionConfig.self, at: unpacked + "/config.json", entry: "config.json") {
            try $0.validate()
        }
        if let existing = mutex.withLock({ collections[name] }) {
            guard overwrite else {
                throw StorageError(.alreadyExists, "Collection `\(name)` already exists; use --force (qdb restore) or --force-snapshot (qdb serve) to overwrite it")
            }
            let current = existing.config
            guard current.params.vectors == config.params.vectors, current.params.shard_number == config.params.shard_number else {
                throw SnapshotError(.badInput, "Snapshot is not compatible with existing collection: vectors and shard_number must be equal")
            }
            config = current
            try FileIO.writeAtomically(try [UInt8].json(config), to: unpacked + "/config.json")
        }
        // Test-open: every segment must load before anything live changes.
        let loaded = try SnapshotError.staged {
            for s in 0..<config.params.shard_number {
                let dir = unpacked + "/\(s)"
                guard FileIO.isDirectory(dir) else { throw SnapshotError(.corrupt, "snapshot has no data for shard \(s)") }
                try SnapshotUnpacker.layOutShard(dir)
            }
            return try Storage.openWhileSyncing(unpacked) {
                let opened = try openCollection(name: name, dir: unpacked)
                if meta.files.isEmpty { for shard in opened.shards { try shard.checkPayloads() } }  // made by Qdrant: no digests
                return opened
            }
        }
        let loadedAt = ContinuousClock.now
        Failpoint.pause("restore_before_swap")
        try swapIn(name, from: unpacked, overwrite: overwrite, loaded: loaded)
        releaseFreedMemory()  // the replaced collection's, if any
        logger.debug("collection restore phases", metadata: [
            "collection": "\(name)", "unpack_ms": "\(Int((unpackedAt - started).seconds * 1000))",
            "load_ms": "\(Int((loadedAt - unpackedAt).seconds * 1000))",
            "swap_ms": "\(Int((ContinuousClock.now - loadedAt).seconds * 1000))",
        ])
        return meta
    }

    /// Runs `open` (the test-open of the staged tree `dir`, unpacked without its final fsync and
    /// laid out) while `dir` is fsynced on a second thread, and returns once both are done. A
    /// second, quick pass then syncs what the open itself created (a WAL file): after this, the
    /// whole tree is on disk and may be swapped in.
    static func openWhileSyncing<T>(_ dir: String, _ open: () throws -> T) throws -> T {
        let syncing = BackgroundTask { try FileIO.syncTree(dir) }
        let value: T
        do {
            value = try open()
        } catch let e as StorageError where e.code == .corrupt || e.code == .badInput {
            _ = try? syncing.wait()
            // Damage found while test-opening a staged archive is the archive's: a bad request.
            throw SnapshotError(.corrupt, "the snapshot does not load: \(e.message)")
        } catch {
            _ = try? syncing.wait()  // the caller removes the tree; let the sync finish with it first
            throw error
        }
        // The open may rewrite segments it cannot keep as they are (qdb 0.1's, Qdrant's
        // appendable ones), removing directories under the first pass's feet: that pass is then
        // incomplete, and the full second pass is what makes the tree durable.
        _ = try? syncing.wait()
        try FileIO.syncTree(dir)
        return value
    }

    /// Puts the staged collection directory `staged` in place of collection `name`. With
    /// `loaded` (the staged directory's test-open), its state is taken over instead of reading
    /// the collection again.
    ///
    /// An optimization in flight on the replaced collection is stopped and waited for first
    /// (`pausingOptimizers`), so none writes into the directory once it holds the new data.
    func swapIn(_ name: String, from staged: String, overwrite: Bool, loaded: Collection? = nil) throws {
        let final = collectionsDir + "/" + name
        let current = overwrite ? mutex.withLock { collections[name] } : nil
        try Collection.pausingOptimizers(of: current) {
            try swapInLocked(name, final: final, from: staged, overwrite: overwrite, loaded: loaded)
        }
    }

    private func swapInLocked(_ name: String, final: String, from staged: String, overwrite: Bool, loaded: Collection?) throws {
        try mutex.withLock {
            if let old = collections[name] {
                guard overwrite else { throw StorageError(.alreadyExists, "Collection `\(name)` already exists") }
                try old.withWritesBlocked {
                    guard qdb_rename_exchange(staged, final) == 0 else { throw FileIO.ioError("exchange \(staged) with \(final)") }
                    try FileIO.syncDirectory(collectionsDir)
                    try FileIO.syncDirectory((staged as NSString).deletingLastPathComponent)
                }
            } else {
                guard !FileIO.exists(final), aliasMap[name] == nil else {
                    throw StorageError(.alreadyExists, "Collection `\(name)` already exists")
                }
                guard rename(staged, final) == 0 else { throw FileIO.ioError("rename \(staged)") }
                try FileIO.syncDirectory(collectionsDir)
            }
            collections[name] = try loaded.map { try Collection.adopt($0, name: name, dir: final) }
                ?? openCollection(name: name, dir: final)
        }
    }
}

extension Collection {
    /// Runs `body` while holding every shard's write lock (in shard order), so no write is in
    /// flight while the collection's directory is swapped. Stops the shards' optimizers for good:
    /// one in flight throws its work away at its swap, which needs these locks.
    func withWritesBlocked<T>(_ body: () throws -> T) rethrows -> T {
        // A background seal writes into the shard's directory without the lock: closed, no new
        // one starts, and the one in flight is waited for (it needs the lock to finish).
        for shard in shards { shard.optimizerState.close() }
        for shard in shards { shard.optimizerState.waitForSeals() }
        func lockFrom(_ i: Int) throws -> T {
            guard i < shards.count else { return try body() }
            return try shards[i].lock.write {
                shards[i].optimizerState.close()
                return try lockFrom(i + 1)
            }
        }
        return try lockFrom(0)
    }
}
