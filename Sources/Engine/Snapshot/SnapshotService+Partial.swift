import Foundation
import Metrics
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
        return try partialRecoveries.exclusive("\(c.name)/\(id)") {
            try recoverPartialLocked(c.name, shard: id, from: source, checksum: checksum)
        }
    }

    private func recoverPartialLocked(_ collection: String, shard id: Int, from source: any ByteSource, checksum: String?) throws -> ArchiveMetadata {
        let running = Gauge(label: "snapshot_recovery_running", dimensions: [("id", collection)])
        running.record(1)
        defer { running.record(0) }
        return try logged("shard \(id) of collection \(collection) (partial)") {
            try withSource(source) { try storage.recoverPartialShard(collection, shard: id, from: $0, checksum: checksum) }
        }
    }

    /// Pulls a partial snapshot from a peer (reference §3.4): sends this shard's manifest to
    /// `peerURL`'s `partial/create`, and applies the answer. Returns false when the peer answers
    /// 304 (this shard is already up to date). The answer is spooled to the storage's temp dir
    /// first, as Qdrant does: a partial archive is small, and a peer that fails midway then
    /// changes nothing.
    public func recoverPartial(_ collection: String, shard id: Int, fromPeer peerURL: String, apiKey: String?) throws -> Bool {
        let c = try storage.collection(collection)
        return try partialRecoveries.exclusive("\(c.name)/\(id)") {
            let manifest = try storage.shardManifest(c.name, shard: id)
            let client = RemoteClient(baseURL: peerURL.hasSuffix("/") ? String(peerURL.dropLast()) : peerURL, apiKey: apiKey)
            let spool = storage.tmpDir + "/partial-snapshot-\(UUID().uuidString).download"
            defer { unlink(spool) }
            let sink = try FileDescriptorSink(creatingFile: spool, fsyncOnClose: false)
            let changed: Bool
            do {
                changed = try client.createPartial(collection: c.name, shard: id, manifest: try manifest.json(), to: sink)
                try sink.close()
            } catch {
                try? sink.close()
                throw error
            }
            guard changed else { return false }
            _ = try recoverPartialLocked(c.name, shard: id, from: try FileDescriptorSource(path: spool), checksum: nil)
            return true
        }
    }
}

/// Per-target try-locks: a second holder is refused instead of waiting.
final class ExclusiveLocks: @unchecked Sendable {
    private let mutex = NSLock()
    private var held = Set<String>()

    func exclusive<T>(_ key: String, _ body: () throws -> T) throws -> T {
        let taken = mutex.withLock { held.insert(key).inserted }
        guard taken else {
            throw SnapshotError(.busy, "already_in_progress: a partial recovery of shard \(key.split(separator: "/").last ?? "") of collection \(key.split(separator: "/").dropLast().joined(separator: "/")) is running")
        }
        defer { _ = mutex.withLock { held.remove(key) } }
        return try body()
    }
}

extension RemoteClient {
    /// `POST …/shards/{id}/snapshot/partial/create` with `manifest`; streams the archive into
    /// `sink`. Returns false on 304 Not Modified (nothing written).
    public func createPartial(collection: String, shard id: Int, manifest: [UInt8], to sink: any ByteSink) throws -> Bool {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        let c = collection.addingPercentEncoding(withAllowedCharacters: allowed) ?? collection
        do {
            try perform("POST", "/collections/\(c)/shards/\(id)/snapshot/partial/create", body: .bytes(manifest), into: sink)
            return true
        } catch let e as RemoteError where e.status == 304 {
            return false
        }
    }
}
