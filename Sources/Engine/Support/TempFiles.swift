import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

extension FileIO {
    /// Removes `path` and everything under it, whatever the depth and length of the paths inside
    /// (a hostile archive can stage a 4 KB path, longer than `PATH_MAX` once the staging prefix is
    /// added): every step is relative to an open directory descriptor (`openat`/`unlinkat`, never
    /// following a symlink), and at most two descriptors are open at a time. An entry that cannot
    /// be removed is skipped, and the rest still goes.
    /// - Returns: the paths (relative to `path`) that could not be removed; empty on success or
    ///   when `path` did not exist.
    @discardableResult
    static func removeTree(_ path: String) -> [String] {
        if unlink(path) == 0 || errno == ENOENT { return [] }
        var fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return ["."] }
        var stack: [String] = []
        var failed: [String] = []
        var skip: Set<String> = []
        func relative(_ name: String) -> String { (stack + [name]).joined(separator: "/") }
        while true {
            var descended = false
            if let d = fdopendir(dup(fd)) {
                while let ent = readdir(d) {
                    let name = withUnsafeBytes(of: ent.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if name == "." || name == ".." || skip.contains(relative(name)) { continue }
                    if unlinkat(fd, name, 0) == 0 || errno == ENOENT { continue }
                    let e = errno
                    if e == EISDIR || e == EPERM {
                        let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                        if child >= 0 {
                            close(fd)
                            fd = child
                            stack.append(name)
                            descended = true
                            break
                        }
                    }
                    skip.insert(relative(name))
                    failed.append(relative(name))
                }
                closedir(d)
            } else {
                failed.append(stack.isEmpty ? "." : stack.joined(separator: "/"))
            }
            if descended { continue }
            guard let name = stack.popLast() else { break }
            let parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            close(fd)
            guard parent >= 0 else {
                failed.append(relative(name))
                return failed
            }
            fd = parent
            if unlinkat(fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
                // Not empty (something inside could not go): never descend into it again.
                skip.insert(relative(name))
                if !failed.contains(where: { $0.hasPrefix(relative(name)) }) { failed.append(relative(name)) }
            }
        }
        close(fd)
        if rmdir(path) != 0 && errno != ENOENT && failed.isEmpty { failed.append(".") }
        return failed
    }
}

/// The temporary files and directories qdb creates, and the startup sweep that removes what a
/// crash left of them. Every temporary name is short and fixed-form, whatever the names of the
/// entries or snapshots involved:
///
/// - `<file>.tmp-XXXXXXXX` (8 hex digits) beside a file being replaced atomically
///   (`FileIO.writeAtomically`: `config.json`, `shard.json`, `segment.json`, `node.json`, alias
///   data, `<snapshot>.checksum.tmp-…` sidecars);
/// - `segments/<id>.tmp/`, a segment being sealed;
/// - `collections/.creating-<uuid>/`, a collection being created;
/// - everything under `<storage>/tmp/` and `<snapshots>/tmp/` (capture scratch, restore staging
///   `restore-<uuid>/`, upload spools `<uuid>.tmp`, partial downloads).
public enum TempFiles {
    /// Whether `name` is an atomic-write temp file: `….tmp-` followed by exactly 8 hex digits.
    static func isAtomicWriteTemp(_ name: String) -> Bool {
        guard let r = name.range(of: ".tmp-", options: .backwards) else { return false }
        let tail = name[r.upperBound...]
        return tail.utf8.count == 8 && tail.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 70) || ($0 >= 97 && $0 <= 102) }
    }

    /// Whether `name`, an entry of a `segments/` directory, is a segment being sealed.
    static func isSealingSegment(_ name: String) -> Bool {
        name.hasSuffix(".tmp") && UUID(uuidString: String(name.dropLast(4))) != nil
    }

    /// Removes every temporary qdb can leave under `root` (a storage or snapshots directory), at
    /// most `maxDepth` levels down, and empties `root/tmp`. Keeps going past anything it cannot
    /// remove, logging each (with paths relative to `root`).
    /// - Returns: the number of temporaries removed.
    @discardableResult
    public static func sweep(_ root: String, maxDepth: Int = 6, logger: Logger) -> Int {
        var removed = 0
        func remove(_ rel: String, directory: Bool) {
            let failures = FileIO.removeTree(root + "/" + rel)
            if failures.isEmpty {
                removed += 1
                logger.notice("removed leftover temporary \(directory ? "directory" : "file")", metadata: ["path": "\(rel)"])
            } else {
                logger.warning("cannot remove leftover temporary", metadata: ["path": "\(rel)", "left": "\(failures.prefix(3))"])
            }
        }
        // The scratch directory is garbage by construction: empty it, keep it.
        let tmp = root + "/tmp"
        if FileIO.isDirectory(tmp) {
            for name in FileIO.listDirectory(tmp) { remove("tmp/" + name, directory: FileIO.isDirectory(tmp + "/" + name)) }
        }
        var pending: [(String, Int)] = [("", 0)]
        while let (rel, depth) = pending.popLast() {
            let dir = rel.isEmpty ? root : root + "/" + rel
            let inSegments = (rel as NSString).lastPathComponent == "segments"
            for name in FileIO.listDirectory(dir) {
                let child = rel.isEmpty ? name : rel + "/" + name
                if rel.isEmpty && name == "tmp" { continue }
                var st = stat()
                guard lstat(dir + "/" + name, &st) == 0 else { continue }
                let isDir = (st.st_mode & S_IFMT) == S_IFDIR
                if (st.st_mode & S_IFMT) == S_IFREG, isAtomicWriteTemp(name) {
                    remove(child, directory: false)
                } else if isDir, inSegments, isSealingSegment(name) {
                    remove(child, directory: true)
                } else if isDir, rel == "collections", name.hasPrefix(".creating-") {
                    remove(child, directory: true)
                } else if isDir, depth + 1 < maxDepth {
                    pending.append((child, depth + 1))
                }
            }
        }
        return removed
    }
}
