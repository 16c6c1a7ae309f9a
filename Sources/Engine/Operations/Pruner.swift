import Foundation

/// What prune works on: a place with snapshots of several scopes that it can list and delete
/// (a local directory, an S3 prefix, a server over REST).
public protocol PruneTarget {
    /// The scopes that hold snapshots (collections, shards, full).
    func scopes() throws -> [SnapshotScope]
    func list(_ scope: SnapshotScope) throws -> [SnapshotDescription]
    func delete(_ scope: SnapshotScope, name: String) throws
    /// Whether a passing verification is recorded beside the snapshot.
    func isVerified(_ scope: SnapshotScope, name: String) -> Bool
}

/// Applies a `RetentionPolicy` to every scope of a target (restic's `forget`): decides, then,
/// unless `dryRun`, deletes what no rule keeps. Deciding and deleting are one pass per scope;
/// callers hold the repository's lock around `run` so two prunes never interleave.
public struct Pruner {
    public let target: any PruneTarget
    public let policy: RetentionPolicy

    public init(target: any PruneTarget, policy: RetentionPolicy) throws {
        try policy.validate()
        guard !policy.isEmpty else {
            throw OperationError(.badInput, "no keep rule given (--keep-last, --keep-daily, …); refusing to remove every snapshot")
        }
        self.target = target
        self.policy = policy
    }

    /// Decides (and unless `dryRun`, deletes) the snapshots of `scopes` (default: all of them).
    /// A failed delete stops the run and is rethrown; what was deleted before it stays deleted.
    /// `fence` runs before every delete (an S3 lease's token check) and stops the run by throwing.
    public func run(scopes: [SnapshotScope]? = nil, dryRun: Bool, fence: (() throws -> Void)? = nil) throws -> [PruneDecision] {
        var all: [PruneDecision] = []
        for scope in try scopes ?? target.scopes() {
            let snapshots = try target.list(scope)
            let candidates = snapshots.map { d in
                RetentionCandidate(name: d.name, time: Pruner.time(of: d) ?? .distantPast,
                                   verified: target.isVerified(scope, name: d.name))
            }
            var decisions = policy.decide(candidates, scope: Pruner.label(scope))
            if !dryRun {
                Failpoint.pause("prune_delete")
                for i in decisions.indices where !decisions[i].keep {
                    try fence?()
                    do {
                        try target.delete(scope, name: decisions[i].name)
                        decisions[i].removed = true
                    } catch let e as SnapshotError where e.code == .notFound {
                        decisions[i].reasons = ["already-removed"]  // a concurrent delete got there first
                    }
                }
            }
            all += decisions
        }
        return all
    }

    /// A scope as prune's JSON names it: the collection, `c/shards/N`, or `full`.
    public static func label(_ scope: SnapshotScope) -> String {
        scope == .full ? "full" : scope.relativeDirectory
    }

    /// When a snapshot was made: the UTC timestamp in its name (`…-YYYY-MM-DD-HH-MM-SS[-n].snapshot`,
    /// as qdb and Qdrant name them), else its `creation_time`.
    public static func time(of d: SnapshotDescription) -> Date? {
        let stem = d.name.hasSuffix(".snapshot") ? String(d.name.dropLast(9)) : d.name
        let fields = stem.split(separator: "-", omittingEmptySubsequences: false)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd-HH-mm-ss"
        for drop in [0, 1] where fields.count >= 6 + drop {
            let six = fields.dropLast(drop).suffix(6)
            let widths = six.map(\.count)
            if widths == [4, 2, 2, 2, 2, 2], six.allSatisfy({ $0.allSatisfy(\.isNumber) }),
               let t = f.date(from: six.joined(separator: "-")) { return t }
        }
        guard let created = d.creation_time else { return nil }
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f.date(from: String(created.prefix(19)))
    }
}

/// A snapshot store as a prune target. Scopes are found by listing the local directory (for
/// an S3 store, pass the scopes); verification records are read beside local files.
public struct StorePruneTarget: PruneTarget {
    public let store: any SnapshotStore
    /// The local snapshots directory, when the store is one.
    public let root: String?

    public init(store: any SnapshotStore) {
        self.store = store
        root = (store as? LocalSnapshotStore)?.root
    }

    public func scopes() throws -> [SnapshotScope] {
        guard let root else {
            throw OperationError(.badInput, "name the collections to prune: an object store's collections are not discovered")
        }
        var out: [SnapshotScope] = []
        if FileIO.listDirectory(root).contains(where: { $0.hasSuffix(".snapshot") }) { out.append(.full) }
        for name in FileIO.listDirectory(root).sorted() where !name.hasPrefix(".") && name != "tmp" {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDir), isDir.boolValue else { continue }
            out.append(.collection(name))
            for shard in FileIO.listDirectory(root + "/" + name + "/shards").compactMap(Int.init).sorted() {
                out.append(.shard(collection: name, shard: shard))
            }
        }
        return out
    }

    public func list(_ scope: SnapshotScope) throws -> [SnapshotDescription] { try store.list(scope) }

    public func delete(_ scope: SnapshotScope, name: String) throws {
        // A local store's own delete takes the directory's lock shared; prune holds it already.
        if let local = store as? LocalSnapshotStore { return try local.deleteUnlocked(scope, name: name) }
        try store.delete(scope, name: name)
    }

    public func isVerified(_ scope: SnapshotScope, name: String) -> Bool {
        if let s3 = store as? S3SnapshotStore {
            guard let key = try? s3.key(scope, name: name), let bytes = try? s3.client.getSmallObject(key + VerificationRecord.suffix)
            else { return false }
            return VerificationRecord.decode(bytes, matching: (try? store.describe(scope, name: name))?.checksum)?.ok == true
        }
        guard let path = try? store.localPath(scope, name: name) else { return false }
        return VerificationRecord.read(beside: path)?.ok == true
    }
}

/// The result of verifying a stored snapshot, kept beside it as `<file>.verification.json`;
/// prune trusts a record with `ok` when it decides which snapshot is the newest verified one.
public struct VerificationRecord: Codable, Sendable, Equatable {
    public static let suffix = ".verification.json"
    public var ok: Bool
    public var deep: Bool
    public var verified_at: String
    public var qdb_version: String
    /// The snapshot's SHA-256 when it was verified (a record for other bytes is not trusted).
    public var sha256: String?
    public var error: String?

    public init(ok: Bool, deep: Bool, sha256: String?, error: String?) {
        self.ok = ok
        self.deep = deep
        verified_at = OperationInfo.timestamp(Date())
        qdb_version = engineVersion
        self.sha256 = sha256
        self.error = error
    }

    /// The record beside `path`, if any, and only if its sha256 matches the file's sidecar.
    public static func read(beside path: String) -> VerificationRecord? {
        guard let bytes = try? FileIO.readAll(path + suffix) else { return nil }
        let sidecar = (try? FileIO.readAll(path + ".checksum")).map { String(decoding: $0, as: UTF8.self) }
        return decode(bytes, matching: sidecar)
    }

    /// A record's bytes, trusted only when its sha256 is the snapshot's `checksum` (if known).
    public static func decode(_ bytes: [UInt8], matching checksum: String?) -> VerificationRecord? {
        guard let record = try? JSONDecoder().decode(VerificationRecord.self, from: Data(bytes)) else { return nil }
        if let checksum, let sha = record.sha256, !SHA256Hasher.checksumsMatch(checksum, sha) { return nil }
        return record
    }

    /// The record as the bytes kept beside a snapshot (a file, or an S3 object).
    public func encoded() throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try enc.encode(self))
    }

    /// Writes the record beside `path` (temp file, then rename).
    public func write(beside path: String) throws {
        let tmp = path + VerificationRecord.suffix + ".tmp"
        try Segment.writeFile(tmp, try encoded())
        guard rename(tmp, path + VerificationRecord.suffix) == 0 else { throw FileIO.ioError("rename \(tmp)") }
    }
}
