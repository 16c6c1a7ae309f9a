import CQDBSys
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Options for opening a storage directory.
public struct StorageOptions: Sendable {
    public var path: String
    /// Points in an appendable segment before it is sealed to disk.
    public var sealThreshold: Int
    /// Qdrant's `storage.optimizers_overwrite`: an optimizers config diff applied over every
    /// collection's own optimizer config while this storage is open (never written into it).
    public var optimizersOverwrite: JSONValue?

    public init(path: String, sealThreshold: Int = 100_000, optimizersOverwrite: JSONValue? = nil) {
        self.path = path
        self.sealThreshold = sealThreshold
        self.optimizersOverwrite = optimizersOverwrite
    }
}

/// A storage root: the collections under `collections/`, the aliases in `aliases/data.json`, and an
/// exclusive `flock` on `.lock` for as long as it is open. Qdrant calls this the table of content.
///
/// Concurrency: `mutex` guards the collection and alias maps; collections guard themselves.
public final class Storage: @unchecked Sendable {
    public let root: String
    let options: StorageOptions
    let logger: Logger
    private let lockFD: Int32
    let mutex = NSLock()
    var collections: [String: Collection] = [:]
    var aliasMap: [String: String] = [:]
    /// The background optimizer, once `startOptimizer()` ran (`Optimizer.swift`).
    var optimizer: Optimizer?
    private var closed = false

    var collectionsDir: String { root + "/collections" }
    var aliasesPath: String { root + "/aliases/data.json" }

    /// Opens (creating if needed) the storage at `options.path`, taking its lock, cleaning temp
    /// leftovers, and loading every collection.
    /// - Throws: `StorageError(.locked)` when another process holds the storage.
    public static func open(_ options: StorageOptions, logger: Logger) throws -> Storage {
        let root = options.path
        try FileIO.makeDirectories(root + "/collections")
        try FileIO.makeDirectories(root + "/aliases")
        let fd = try takeLock(root + "/.lock")
        let storage = Storage(root: root, options: options, logger: logger, lockFD: fd)
        try storage.load()
        return storage
    }

    private init(root: String, options: StorageOptions, logger: Logger, lockFD: Int32) {
        self.root = root
        self.options = options
        self.logger = logger
        self.lockFD = lockFD
    }

    deinit { Glibc.close(lockFD) }

    static func takeLock(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.ioError("open lock file \(path)") }
        // A few short retries before giving up: a process forked by another thread holds a copy
        // of every descriptor until it execs (O_CLOEXEC acts only at exec), so a lock released a
        // moment ago can still look taken; so can the lock of a qdb that is just exiting.
        var locked = flock(fd, LOCK_EX | LOCK_NB) == 0
        for attempt in 1...8 where !locked {
            usleep(UInt32(attempt) * 10_000)
            locked = flock(fd, LOCK_EX | LOCK_NB) == 0
        }
        if !locked {
            let holder = (try? FileIO.readAll(path)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
            Glibc.close(fd)
            throw StorageError(
                .locked,
                "storage \((path as NSString).deletingLastPathComponent) is locked by another qdb process (pid \(holder.isEmpty ? "?" : holder)); stop it, or talk to it with --url")
        }
        _ = ftruncate(fd, 0)
        let pid = Array("\(getpid())".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    /// Scratch space on the storage's filesystem for snapshot captures and restore staging.
    /// Emptied at every start (what a crash left there is garbage by construction).
    public var tmpDir: String { root + "/tmp" }

    /// This node's random peer id, as in Qdrant's snapshot names; kept in `node.json`.
    public private(set) var peerID: UInt64 = 0

    /// Opens the collection in `dir` as this storage runs it: its seal threshold, its logger and
    /// the `storage.optimizers_overwrite` applied over the collection's own optimizer config.
    func openCollection(name: String, dir: String) throws -> Collection {
        try Collection.open(name: name, dir: dir, sealThreshold: options.sealThreshold, logger: logger, overwrite: options.optimizersOverwrite)
    }

    private func load() throws {
        // Whatever a crash left: scratch and staging under tmp/, atomic-write temps beside every
        // file qdb replaces, segments being sealed, collections being created.
        TempFiles.sweep(root, logger: logger)
        try FileIO.makeDirectories(tmpDir)
        struct Node: Codable { var peer_id: UInt64 }
        let nodePath = root + "/node.json"
        if let bytes = try? FileIO.readAll(nodePath), let node = try? JSONDecoder().decode(Node.self, from: Data(bytes)) {
            peerID = node.peer_id
        } else {
            peerID = UInt64.random(in: 1..<(1 << 53))
            try FileIO.writeAtomically(try [UInt8].json(Node(peer_id: peerID)), to: nodePath)
        }
        for name in FileIO.listDirectory(collectionsDir) {
            let dir = collectionsDir + "/" + name
            if name.hasPrefix(".") {
                logger.notice("removing leftover temporary directory", metadata: ["path": "\(dir)"])
                FileIO.removeTree(dir)
                continue
            }
            guard FileIO.isDirectory(dir) else { continue }
            collections[name] = try openCollection(name: name, dir: dir)
        }
        if FileIO.exists(aliasesPath) {
            do {
                aliasMap = try JSONDecoder().decode([String: String].self, from: Data(try FileIO.readAll(aliasesPath)))
            } catch {
                throw StorageError(.corrupt, "aliases file \(aliasesPath) is unreadable: \(error)")
            }
        }
    }

    /// Seals and syncs every collection and releases nothing else; the lock goes with the object.
    public func close() throws {
        let all: [Collection] = mutex.withLock {
            closed = true
            optimizer?.stop()
            return Array(collections.values)
        }
        for c in all { try c.close() }
    }

    func aliasSnapshot() -> [String: String] { mutex.withLock { aliasMap } }

    /// Runs `body` on a copy of the alias map under the storage mutex; saves and installs it if
    /// `body` returns normally, so a failed batch of actions changes nothing.
    func withAliases(_ body: (inout [String: String], Set<String>) throws -> Void) throws {
        try mutex.withLock {
            var next = aliasMap
            try body(&next, Set(collections.keys))
            try saveAliasesLocked(next)
            aliasMap = next
        }
    }

    func saveAliasesLocked() throws { try saveAliasesLocked(aliasMap) }

    // MARK: collections

    public func collectionNames() -> [String] {
        mutex.withLock { collections.keys.sorted() }
    }

    /// The collection named `name`, or the one the alias `name` points to.
    public func collection(_ name: String) throws -> Collection {
        try mutex.withLock {
            if let c = collections[name] { return c }
            if let target = aliasMap[name], let c = collections[target] { return c }
            throw StorageError.collectionNotFound(name)
        }
    }

    public func exists(_ name: String) -> Bool { (try? collection(name)) != nil }

    /// Creates a collection: its files are written under a hidden temp name and renamed into place.
    public func createCollection(_ name: String, config: CollectionConfig) throws {
        try Storage.validateName(name, what: "collection")
        try config.validate()
        try mutex.withLock {
            guard collections[name] == nil, aliasMap[name] == nil else {
                throw StorageError(.alreadyExists, "Wrong input: Collection `\(name)` already exists!")
            }
            let tmp = collectionsDir + "/.creating-\(UUID().uuidString)"
            let final = collectionsDir + "/" + name
            do {
                try Collection.initialize(dir: tmp, config: config)
                guard rename(tmp, final) == 0 else { throw FileIO.ioError("rename \(tmp)") }
                try FileIO.syncDirectory(collectionsDir)
                collections[name] = try openCollection(name: name, dir: final)
            } catch {
                FileIO.removeTree(tmp)
                throw error
            }
        }
    }

    /// Deletes a collection and the aliases that point to it. Returns false if it did not exist.
    @discardableResult
    public func deleteCollection(_ name: String) throws -> Bool {
        defer { releaseFreedMemory() }
        return try mutex.withLock {
            guard let doomed = collections[name] else { return false }
            doomed.withWritesBlocked { }  // stops its optimizer (see `withWritesBlocked`)
            let trash = collectionsDir + "/.deleted-\(UUID().uuidString)"
            guard rename(collectionsDir + "/" + name, trash) == 0 else { throw FileIO.ioError("rename collection \(name)") }
            try FileIO.syncDirectory(collectionsDir)
            collections[name] = nil
            let before = aliasMap
            aliasMap = aliasMap.filter { $0.value != name }
            if aliasMap != before { try saveAliasesLocked() }
            FileIO.removeTree(trash)
            return true
        }
    }

    /// Gives the heap memory a dropped collection freed (its index, ids, decoded payloads) back
    /// to the system: glibc keeps freed blocks for reuse otherwise, and the process's RSS would
    /// stay at its high-water mark after a collection is deleted.
    func releaseFreedMemory() {
        qdb_release_free_memory()
    }

    /// Checks a collection or alias name: 1–255 bytes, none of `< > : " / \ | ? *`, no control
    /// characters, and no leading `.` (qdb keeps its temp directories under dot names).
    public static func validateName(_ name: String, what: String) throws {
        let bad = Set("<>:\"/\\|?*")
        if name.isEmpty || name.utf8.count > 255 || name.hasPrefix(".")
            || name.contains(where: { bad.contains($0) || $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })
        {
            throw StorageError(
                .badInput,
                "Validation error: \(what) name `\(name.debugDescription.dropFirst().dropLast())` is invalid: it must be 1 to 255 bytes, must not start with `.`, and must not contain < > : \" / \\ | ? * or control characters")
        }
    }
}
