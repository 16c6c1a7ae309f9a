import CQDBSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Snapshots in a local directory (`storage.snapshots_path`), laid out as Qdrant's:
/// `<root>/full-snapshot-….snapshot`, `<root>/<c>/<c>-….snapshot`,
/// `<root>/<c>/shards/<id>/<c>-shard-<id>-….snapshot`, each with a `.checksum` sidecar.
public struct LocalSnapshotStore: SnapshotStore {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    func directory(_ scope: SnapshotScope) -> String {
        let rel = scope.relativeDirectory
        return rel.isEmpty ? root : root + "/" + rel
    }

    /// The path of an existing snapshot: a regular file (not a symlink) inside the scope's directory.
    func existingPath(_ scope: SnapshotScope, _ name: String) throws -> String {
        try SnapshotScope.validate(name: name)
        let path = directory(scope) + "/" + name
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw SnapshotError.notFound(name) }
        return path
    }

    public func list(_ scope: SnapshotScope) throws -> [SnapshotDescription] {
        let dir = directory(scope)
        return FileIO.listDirectory(dir).filter { $0.hasSuffix(".snapshot") }.compactMap { name in
            try? describe(scope, name: name)
        }
    }

    public func describe(_ scope: SnapshotScope, name: String) throws -> SnapshotDescription {
        let path = try existingPath(scope, name)
        var st = stat()
        guard lstat(path, &st) == 0 else { throw SnapshotError.notFound(name) }
        let checksum = (try? FileIO.readAll(path + ".checksum")).map { String(decoding: $0, as: UTF8.self) }
            .flatMap { $0.count == 64 ? $0 : nil }
        var d = SnapshotDescription(
            name: name, creation_time: LocalSnapshotStore.birthTime(path) ?? LocalSnapshotStore.format(Double(st.st_mtim.tv_sec)),
            size: Int64(st.st_size), checksum: checksum)
        if let a = SnapshotAnnotation.read(beside: path) {
            d.description = a.description
            d.labels = a.labels
        }
        return d
    }

    /// Holds the directory's lock shared, so it never runs during a prune (which holds it).
    public func delete(_ scope: SnapshotScope, name: String) throws {
        try RepositoryLock.shared(root: root) { try deleteUnlocked(scope, name: name) }
    }

    /// `delete` without the lock: for the prune that holds it exclusively.
    func deleteUnlocked(_ scope: SnapshotScope, name: String) throws {
        let path = try existingPath(scope, name)
        guard unlink(path) == 0 else { throw SnapshotError(.io, "cannot delete snapshot \(name): \(String(cString: strerror(errno)))") }
        unlink(path + ".checksum")
        unlink(path + SnapshotAnnotation.suffix)
        unlink(path + VerificationRecord.suffix)
    }

    public func localPath(_ scope: SnapshotScope, name: String) throws -> String? {
        try existingPath(scope, name)
    }

    public func open(_ scope: SnapshotScope, name: String) throws -> any ByteSource {
        try FileDescriptorSource(path: try existingPath(scope, name))
    }

    /// The archive is written to a temp file in `<root>/tmp` (same filesystem, fsynced on close)
    /// and renamed into place by `commit`.
    public func beginUpload(_ scope: SnapshotScope, name: String) throws -> any SnapshotUpload {
        try SnapshotScope.validate(name: name)
        // Fixed-form, whatever the snapshot's name (TempFiles).
        let tmp = try tempDirectory() + "/\(UUID().uuidString).tmp"
        return LocalUpload(store: self, scope: scope, name: name, tempPath: tmp, sink: try FileDescriptorSink(creatingFile: tmp, fsyncOnClose: true))
    }

    public func tempDirectory() throws -> String {
        let tmp = root + "/tmp"
        try FileIO.makeDirectories(tmp)
        return tmp
    }

    final class LocalUpload: SnapshotUpload {
        let store: LocalSnapshotStore
        let scope: SnapshotScope
        let name: String
        let tempPath: String
        let file: FileDescriptorSink
        var sink: any ByteSink { file }

        init(store: LocalSnapshotStore, scope: SnapshotScope, name: String, tempPath: String, sink: FileDescriptorSink) {
            (self.store, self.scope, self.name, self.tempPath, self.file) = (store, scope, name, tempPath, sink)
        }

        func commit(sha256: String) throws -> SnapshotDescription {
            try file.close()
            return try store.commit(tempPath: tempPath, sha256: sha256, scope: scope, name: name)
        }

        func abort() {
            try? file.close()
            unlink(tempPath)
        }
    }

    /// Qdrant's store sequence (reference §2.2): sidecar temp first, then rename the archive,
    /// then rename the sidecar; if the last step fails the archive is removed again.
    public func commit(tempPath: String, sha256: String, scope: SnapshotScope, name: String) throws -> SnapshotDescription {
        try SnapshotScope.validate(name: name)
        return try RepositoryLock.shared(root: root) { try commitUnlocked(tempPath: tempPath, sha256: sha256, scope: scope, name: name) }
    }

    private func commitUnlocked(tempPath: String, sha256: String, scope: SnapshotScope, name: String) throws -> SnapshotDescription {
        let dir = directory(scope)
        try FileIO.makeDirectories(dir)
        let final = dir + "/" + name
        // Fixed-form, however long the snapshot's name (TempFiles sweeps it after a crash).
        let sidecarTemp = dir + "/checksum.tmp-\(UUID().uuidString.prefix(8))"
        do {
            try Segment.writeFile(sidecarTemp, Array(sha256.utf8))
            guard rename(tempPath, final) == 0 else { throw FileIO.ioError("rename \(tempPath)") }
            guard rename(sidecarTemp, final + ".checksum") == 0 else {
                let e = FileIO.ioError("rename \(sidecarTemp)")
                unlink(final)
                throw e
            }
            try FileIO.syncDirectory(dir)
        } catch {
            unlink(sidecarTemp)
            unlink(tempPath)
            throw error
        }
        return try describe(scope, name: name)
    }

    /// The file's birth time via statx, as Qdrant reports `creation_time`; nil where the
    /// filesystem has none.
    static func birthTime(_ path: String) -> String? {
        let t = qdb_birth_time(path)
        return t < 0 ? nil : format(Double(t))
    }

    /// A naive UTC datetime with whole seconds, as Qdrant prints `creation_time`.
    static func format(_ seconds: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: seconds))
    }
}
