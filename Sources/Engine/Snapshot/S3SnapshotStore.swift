import Foundation

/// Snapshots in an S3 bucket, with Qdrant's keys under `root` (default `snapshots`):
/// `<root>/<name>` (full), `<root>/<c>/<name>`, `<root>/<c>/shards/<id>/<name>`, each with a
/// `<key>.checksum` object (64 lowercase hex, no newline) that Qdrant does not write.
///
/// Creation streams by multipart upload (`S3MultipartSink`): no local copy of the archive. The
/// `.checksum` is written before the multipart upload completes, so a listed snapshot always has
/// one; if completing fails the checksum is deleted and the upload aborted.
public struct S3SnapshotStore: SnapshotStore {
    public let client: S3Client
    /// Key prefix standing for the snapshots directory (no leading or trailing `/`).
    public let root: String
    public let partSize: Int
    /// Local directory for upload spools (`<snapshots_path>/tmp`).
    public let localTemp: String

    public static let defaultPartSize = 32 << 20

    public init(client: S3Client, root: String = "snapshots", partSize: Int = S3SnapshotStore.defaultPartSize, localTemp: String) {
        self.client = client
        self.root = root.split(separator: "/").joined(separator: "/")
        self.partSize = max(partSize, S3MultipartSink.minPartSize)
        self.localTemp = localTemp
    }

    /// The key prefix of a scope's snapshots, ending in `/` (or empty for the bucket root).
    public func prefix(_ scope: SnapshotScope) -> String {
        let parts = [root, scope.relativeDirectory].filter { !$0.isEmpty }
        return parts.isEmpty ? "" : parts.joined(separator: "/") + "/"
    }

    /// The key of snapshot `name`; the name is validated first, so no name reaches another key.
    public func key(_ scope: SnapshotScope, name: String) throws -> String {
        try SnapshotScope.validate(name: name)
        if case .collection(let c) = scope { try S3SnapshotStore.validateSegment(c, name: name) }
        if case .shard(let c, _) = scope { try S3SnapshotStore.validateSegment(c, name: name) }
        return prefix(scope) + name
    }

    /// A collection name used as a key segment must not be empty, `.`, `..` or hold `/`.
    static func validateSegment(_ segment: String, name: String) throws {
        if segment.isEmpty || segment == "." || segment == ".." || segment.contains("/") { throw SnapshotError.notFound(name) }
    }

    public func list(_ scope: SnapshotScope) throws -> [SnapshotDescription] {
        let prefix = prefix(scope)
        // Delimiter "/": only this scope's objects, not a collection's shards/ subtree.
        let objects = try storeErrors(nil) { try client.list(prefix: prefix, delimiter: "/") }
        let keys = Set(objects.map(\.key))
        return try objects.filter { $0.key.hasSuffix(".snapshot") }.map { object in
            let name = String(object.key.dropFirst(prefix.count))
            let checksum = keys.contains(object.key + ".checksum") ? try readChecksum(object.key) : nil
            let d = SnapshotDescription(name: name, creation_time: S3XML.creationTime(object.lastModified), size: object.size, checksum: checksum)
            return annotated(d, key: object.key, in: keys)
        }.sorted { $0.name < $1.name }
    }

    public func describe(_ scope: SnapshotScope, name: String) throws -> SnapshotDescription {
        let key = try key(scope, name: name)
        let objects = try storeErrors(name) { try client.list(prefix: key, delimiter: "/") }
        guard let object = objects.first(where: { $0.key == key }) else { throw SnapshotError.notFound(name) }
        let checksum = objects.contains { $0.key == key + ".checksum" } ? try readChecksum(key) : nil
        let d = SnapshotDescription(name: name, creation_time: S3XML.creationTime(object.lastModified), size: object.size, checksum: checksum)
        return annotated(d, key: key, in: Set(objects.map(\.key)))
    }

    public func delete(_ scope: SnapshotScope, name: String) throws {
        _ = try describe(scope, name: name)  // 404 for a missing snapshot, as the local store
        let key = try key(scope, name: name)
        try storeErrors(name) { try client.deleteObject(key) }
        try? client.deleteObject(key + ".checksum")
        try? client.deleteObject(key + VerificationRecord.suffix)
        try? client.deleteObject(key + SnapshotAnnotation.suffix)
    }

    public func open(_ scope: SnapshotScope, name: String) throws -> any ByteSource {
        let key = try key(scope, name: name)
        _ = try describe(scope, name: name)
        return try S3ObjectSource(client: client, key: key)
    }

    public func localPath(_ scope: SnapshotScope, name: String) throws -> String? {
        _ = try key(scope, name: name)
        return nil
    }

    public func tempDirectory() throws -> String {
        try FileIO.makeDirectories(localTemp)
        return localTemp
    }

    public func beginUpload(_ scope: SnapshotScope, name: String) throws -> any SnapshotUpload {
        S3Upload(store: self, scope: scope, name: name, key: try key(scope, name: name))
    }

    final class S3Upload: SnapshotUpload {
        let store: S3SnapshotStore
        let scope: SnapshotScope
        let name: String
        let key: String
        let multipart: S3MultipartSink
        var sink: any ByteSink { multipart }

        init(store: S3SnapshotStore, scope: SnapshotScope, name: String, key: String) {
            (self.store, self.scope, self.name, self.key) = (store, scope, name, key)
            multipart = S3MultipartSink(client: store.client, key: key, partSize: store.partSize)
        }

        func commit(sha256: String) throws -> SnapshotDescription {
            try multipart.close()
            try store.client.putObject(key + ".checksum", Array(sha256.utf8), contentType: "text/plain")
            do {
                try multipart.complete()
            } catch {
                try? store.client.deleteObject(key + ".checksum")
                throw error
            }
            return try store.describe(scope, name: name)
        }

        func abort() {
            multipart.abort()
        }
    }

    /// Reads a `.checksum` object; anything but 64 hex characters counts as absent.
    func readChecksum(_ key: String) throws -> String? {
        guard let bytes = try storeErrors(nil, { try client.getSmallObject(key + ".checksum") }) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return SHA256Hasher.isValidChecksum(text) ? text.lowercased() : nil
    }

    /// A missing key becomes the snapshot domain's not-found; other S3 errors pass through.
    func storeErrors<T>(_ name: String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as S3Error where e.code == .notFound && name != nil {
            throw SnapshotError.notFound(name!)
        }
    }

    /// Aborts pending multipart uploads under this store's keys: the leftovers of a process killed
    /// in the middle of a snapshot (what `abort()` could not run for). Called at server start,
    /// as the local store's temp dir is cleaned; it assumes no other server writes under `root`.
    public func abortStaleUploads() throws -> Int {
        let pending = try client.listMultipartUploads(prefix: root.isEmpty ? "" : root + "/")
        for upload in pending { try client.abortMultipartUpload(upload.key, uploadID: upload.uploadID) }
        return pending.count
    }
}
