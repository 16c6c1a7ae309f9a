import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SnapshotService {
    /// Applies a partial snapshot to one shard. A second partial recovery of the same shard while
    /// one runs is refused (`SnapshotError.busy`, HTTP 503 `already_in_progress`), as Qdrant's
    /// `try_write`; other recoveries of the shard wait their turn.
    @discardableResult
    public func recoverPartial(_ collection: String, shard id: Int, from source: any ByteSource, checksum: String?) throws -> ArchiveMetadata {
        let c = try storage.collection(collection)
        return try exclusivePartialRecovery(c.name, shard: id) {
            try recoverPartialLocked(c.name, shard: id, from: source, checksum: checksum)
        }
    }

    private func recoverPartialLocked(_ collection: String, shard id: Int, from source: any ByteSource, checksum: String?) throws -> ArchiveMetadata {
        try recovering(collection, "shard \(id) of collection \(collection) (partial)") {
            try withSource(source) { try storage.recoverPartialShard(collection, shard: id, from: $0, checksum: checksum) }
        }
    }

    /// Runs `body` as the only partial recovery of the shard, or refuses with 503
    /// `already_in_progress` when one runs (Qdrant's `try_write`).
    private func exclusivePartialRecovery<T>(_ collection: String, shard id: Int, _ body: () throws -> T) throws -> T {
        try partialRecoveries.exclusive("\(collection)/\(id)", busy: SnapshotError(
            .busy, "already_in_progress: a partial recovery of shard \(id) of collection \(collection) is running"), body)
    }

    /// Pulls a partial snapshot from a peer (reference §3.4): sends this shard's manifest to
    /// `peerURL`'s `partial/create`, and applies the answer. Returns false when the peer answers
    /// 304 (this shard is already up to date). The answer is spooled to the storage's temp dir
    /// first, as Qdrant does: a partial archive is small, and a peer that fails midway then
    /// changes nothing.
    /// With `operation`, the download and the recovery are counted into it and cancellable.
    public func recoverPartial(
        _ collection: String, shard id: Int, fromPeer peerURL: String, apiKey: String?, operation: SnapshotOperation? = nil
    ) throws -> Bool {
        let c = try storage.collection(collection)
        return try exclusivePartialRecovery(c.name, shard: id) {
            let manifest = try storage.shardManifest(c.name, shard: id)
            let client = RemoteClient(baseURL: peerURL.hasSuffix("/") ? String(peerURL.dropLast()) : peerURL, apiKey: apiKey)
            let spool = storage.tmpDir + "/partial-snapshot-\(UUID().uuidString).download"
            defer { unlink(spool) }
            let sink = try FileDescriptorSink(creatingFile: spool, fsyncOnClose: false)
            let changed: Bool
            do {
                changed = try client.createPartial(
                    collection: c.name, shard: id, manifest: try manifest.json(), to: operation.map { $0.track(sink) } ?? sink)
                try sink.close()
            } catch {
                try? sink.close()
                throw error
            }
            guard changed else { return false }
            try operation?.checkCancelled()
            let spooled: any ByteSource = try FileDescriptorSource(path: spool)
            _ = try recoverPartialLocked(c.name, shard: id, from: operation.map { $0.track(spooled) } ?? spooled, checksum: nil)
            return true
        }
    }
}

/// Per-target try-locks: a second holder is refused instead of waiting.
final class ExclusiveLocks: @unchecked Sendable {
    private let mutex = NSLock()
    private var held = Set<String>()

    func exclusive<T>(_ key: String, busy: @autoclosure () -> any Error, _ body: () throws -> T) throws -> T {
        let taken = mutex.withLock { held.insert(key).inserted }
        guard taken else { throw busy() }
        defer { _ = mutex.withLock { held.remove(key) } }
        return try body()
    }
}

extension RemoteClient {
    /// `POST …/shards/{id}/snapshot/partial/create` with `manifest`; streams the archive into
    /// `sink`. Returns false on 304 Not Modified (nothing written).
    public func createPartial(collection: String, shard id: Int, manifest: [UInt8], to sink: any ByteSink) throws -> Bool {
        do {
            try perform("POST", "/collections/\(RemoteClient.pathSegment(collection))/shards/\(id)/snapshot/partial/create", body: .bytes(manifest), into: sink)
            return true
        } catch let e as RemoteError where e.status == 304 {
            return false
        }
    }
}
