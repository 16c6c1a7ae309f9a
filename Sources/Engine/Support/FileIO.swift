import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Small, explicit POSIX file helpers: atomic writes with fsync, directory sync, whole-file reads.
/// The engine uses these instead of Foundation's file APIs so that every durability step is visible.
enum FileIO {
    /// Writes `bytes` to `path` atomically: write a temp file beside it, fsync, rename, fsync the dir.
    static func writeAtomically(_ bytes: some Swift.Collection<UInt8>, to path: String) throws {
        let tmp = path + ".tmp-\(UUID().uuidString.prefix(8))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError("create \(tmp)") }
        do {
            try writeAll(fd: fd, Array(bytes))
            guard fsync(fd) == 0 else { throw ioError("fsync \(tmp)") }
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            let e = ioError("rename \(tmp)")
            unlink(tmp)
            throw e
        }
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func writeAll(fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll(fd: fd, $0) }
    }

    static func writeAll(fd: Int32, _ raw: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < raw.count {
            let n = write(fd, raw.baseAddress! + off, raw.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("write")
            }
            off += n
        }
    }

    static func syncDirectory(_ dir: String) throws {
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open directory \(dir)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ioError("fsync directory \(dir)") }
    }

    /// fsyncs every regular file under `dir`, then every directory deepest first (each one's
    /// entry in its parent after its own content), `dir` itself last. Symlinks are not followed.
    static func syncTree(_ dir: String) throws {
        var dirs: [String] = []
        var pending = [dir]
        while let d = pending.popLast() {
            dirs.append(d)
            for name in listDirectory(d) {
                let path = d + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else { throw ioError("stat \(path)") }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: pending.append(path)
                case S_IFREG:
                    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                    guard fd >= 0 else { throw ioError("open \(path)") }
                    defer { close(fd) }
                    guard fsync(fd) == 0 else { throw ioError("fsync \(path)") }
                default: continue
                }
            }
        }
        for d in dirs.reversed() { try syncDirectory(d) }
    }

    /// The size of the file at `path`.
    static func size(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw ioError("stat \(path)") }
        return Int(st.st_size)
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        try readAll(path, as: UInt8.self)
    }

    /// The whole file as an array of `T` (a file of packed little-endian values, such as
    /// vectors), read straight into the array's storage: no intermediate byte buffer. A size
    /// that is not a multiple of `T`'s stride drops the trailing bytes; callers check counts.
    static func readAll<T: BitwiseCopyable>(_ path: String, as: T.Type) throws -> [T] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ioError("stat \(path)") }
        let size = Int(st.st_size)
        let count = size / MemoryLayout<T>.stride
        var failure: StorageError?
        let out = [T](unsafeUninitializedCapacity: count) { buf, initialized in
            let raw = UnsafeMutableRawBufferPointer(buf)
            var off = 0
            while off < raw.count {
                let n = read(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = ioError("read \(path)")
                    break
                }
                if n == 0 { break }
                off += n
            }
            initialized = off / MemoryLayout<T>.stride
        }
        if let failure { throw failure }
        return out
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func makeDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StorageError(.io, "cannot create directory \(path): \(error.localizedDescription)")
        }
    }

    static func listDirectory(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// A `StorageError` for the current `errno`: `.insufficientStorage` for ENOSPC, else `.io`.
    static func ioError(_ what: String) -> StorageError {
        let e = errno
        let text = String(cString: strerror(e))
        return StorageError(e == ENOSPC ? .insufficientStorage : .io, "\(what) failed: \(text)")
    }
}

extension Array where Element == UInt8 {
    /// Encodes a Codable value as JSON bytes.
    static func json(_ value: some Encodable, pretty: Bool = false) throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return Array(try enc.encode(value))
    }
}
