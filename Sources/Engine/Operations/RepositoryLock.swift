import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a local snapshots directory (`<root>/.qdb-lock`), held by prune and
/// scheduled runs while they decide and delete; the store's commits and deletes hold it shared
/// (`shared(root:)`), so they never interleave with a prune.
///
/// Exclusion is the kernel's `flock`, so a holder that dies (even by SIGKILL) releases it and
/// the next taker gets it without any `unlock` command. While held, the file names its holder
/// (`{"pid","host","started_at","purpose"}`), so a refused taker can say who holds it.
public final class RepositoryLock {
    /// Who holds (or held) a lock, as written in the lock file.
    public struct Holder: Codable, Sendable, Equatable, CustomStringConvertible {
        public var pid: Int32
        public var host: String
        public var started_at: String
        public var purpose: String

        public var description: String { "pid \(pid) on \(host) (\(purpose), since \(started_at))" }
    }

    public static let fileName = ".qdb-lock"
    public let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    /// Takes the lock of snapshots directory `root`, waiting up to `wait` for a live holder;
    /// then throws `OperationError(.locked)` naming it.
    public static func acquire(root: String, purpose: String, wait: Duration = .zero) throws -> RepositoryLock {
        try FileIO.makeDirectories(root)
        let path = root + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OperationError(.badInput, "cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        let deadline = ContinuousClock.now + wait
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let e = String(cString: strerror(errno))
                close(fd)
                throw OperationError(.badInput, "cannot lock \(path): \(e)")
            }
            if ContinuousClock.now >= deadline {
                let holder = (try? FileIO.readAll(path)).flatMap { try? JSONDecoder().decode(Holder.self, from: Data($0)) }
                close(fd)
                throw OperationError(.locked, "snapshots directory \(root) is locked by \(holder?.description ?? "another qdb process"); try again when it is done")
            }
            usleep(100_000)
        }
        let lock = RepositoryLock(path: path, fd: fd)
        try lock.record(Holder(pid: getpid(), host: hostName(), started_at: OperationInfo.timestamp(Date()), purpose: purpose))
        return lock
    }

    /// Writes the holder record into the (locked) file.
    private func record(_ holder: Holder) throws {
        let bytes = Array(try JSONEncoder().encode(holder))
        guard ftruncate(fd, 0) == 0, pwrite(fd, bytes, bytes.count, 0) == bytes.count else {
            throw OperationError(.badInput, "cannot write lock file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Releases the lock (also on deinit). The file stays, empty, for the next holder.
    public func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        close(fd)
        fd = -1
    }

    /// Runs `body` holding the directory's lock shared (creates and deletes of single snapshots:
    /// many at once, never during a prune, which holds it exclusively). Waits up to `wait` for a
    /// prune to finish, then throws `OperationError(.locked)` naming it.
    public static func shared<T>(root: String, wait: Duration = .seconds(30), _ body: () throws -> T) throws -> T {
        let path = root + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return try body() }  // an unwritable directory: the body reports it
        defer { close(fd) }
        let deadline = ContinuousClock.now + wait
        while flock(fd, LOCK_SH | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { break }
            if ContinuousClock.now >= deadline {
                let holder = (try? FileIO.readAll(path)).flatMap { try? JSONDecoder().decode(Holder.self, from: Data($0)) }
                throw OperationError(.locked, "snapshots directory \(root) is locked by \(holder?.description ?? "another qdb process"); try again when it is done")
            }
            usleep(50_000)
        }
        return try body()
    }

    static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
