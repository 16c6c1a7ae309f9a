#if canImport(Glibc)
import CQDBSys
import Glibc
#endif

/// Where a stream of bytes goes (a file, stdout, an HTTP response body).
///
/// Sinks are used from one thread at a time. `write` must consume every byte or throw;
/// `close` flushes and releases the sink and may be called more than once.
public protocol ByteSink: AnyObject {
    func write(_ raw: UnsafeRawBufferPointer) throws
    func close() throws
}

/// Where a stream of bytes comes from. `read` fills a prefix of `buffer` and returns its
/// length; 0 means end of stream.
public protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// At most how many bytes are still to come, when the source knows (a regular file's size,
    /// a request body's Content-Length); nil when it does not. Used only to refuse what cannot
    /// be there: a tar entry declaring more data than the whole stream holds is truncated.
    var remainingSize: Int? { get }
}

extension ByteSource {
    public var remainingSize: Int? { nil }
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

// MARK: - File descriptors

/// Writes to a file descriptor: all bytes, retrying EINTR and short writes.
public final class FileDescriptorSink: ByteSink {
    public let fd: Int32
    /// The path the sink created, if it opened the file itself.
    public let path: String?
    private let ownsDescriptor: Bool
    private let fsyncOnClose: Bool
    private var closed = false
    public private(set) var bytesWritten = 0
    /// With `fsyncOnClose`: where the next background writeback starts (see `write`).
    private var writebackFrom = 0
    static let writebackChunk = 8 << 20

    /// Wraps an open descriptor (stdout, a socket, a pipe). It is closed by `close()` only if
    /// `ownsDescriptor`. `fsyncOnClose` is ignored for descriptors that cannot be synced (pipes).
    public init(fd: Int32, ownsDescriptor: Bool = false, fsyncOnClose: Bool = false) {
        self.fd = fd
        self.path = nil
        self.ownsDescriptor = ownsDescriptor
        self.fsyncOnClose = fsyncOnClose
    }

    /// Standard output (fd 1), not closed by `close()`.
    public static func standardOutput() -> FileDescriptorSink { FileDescriptorSink(fd: STDOUT_FILENO) }

    /// Creates `path`, which must not exist yet (`O_CREAT | O_EXCL`).
    public init(creatingFile path: String, mode: mode_t = 0o644, fsyncOnClose: Bool = false) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let e = errno
            if e == EEXIST {
                throw ArchiveError(
                    .io, "create \(path) failed: the file exists already; remove it or pick another name",
                    cause: ArchiveError.SystemFailure(call: "open", errno: e))
            }
            throw ArchiveError.system("create", path, errno: e)
        }
        self.fd = fd
        self.path = path
        self.ownsDescriptor = true
        self.fsyncOnClose = fsyncOnClose
    }

    deinit {
        if ownsDescriptor && !closed { Glibc.close(fd) }
    }

    public func write(_ raw: UnsafeRawBufferPointer) throws {
        guard !closed else { throw ArchiveError(.badInput, "write to a closed sink") }
        guard let base = raw.baseAddress else { return }
        var off = 0
        while off < raw.count {
            let n = Glibc.write(fd, base + off, raw.count - off)
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                throw ArchiveError.system("write", path ?? "fd \(fd)", errno: e)
            }
            off += n
        }
        bytesWritten += raw.count
        // A file that will be fsynced: start writing each finished 8 MiB to disk now, so the
        // final fsync waits for the tail only instead of the whole file.
        if fsyncOnClose && bytesWritten - writebackFrom >= FileDescriptorSink.writebackChunk {
            _ = qdb_start_writeback(fd, Int64(writebackFrom), Int64(bytesWritten - writebackFrom))  // a pipe: ESPIPE, harmless
            writebackFrom = bytesWritten
        }
    }

    public func close() throws {
        guard !closed else { return }
        closed = true
        if fsyncOnClose && fsync(fd) != 0 {
            let e = errno
            // Pipes, sockets and ttys cannot be synced; that is not a failure of the stream.
            if e != EINVAL && e != EROFS && e != ENOTSUP {
                if ownsDescriptor { Glibc.close(fd) }
                throw ArchiveError.system("fsync", path ?? "fd \(fd)", errno: e)
            }
        }
        if ownsDescriptor && Glibc.close(fd) != 0 {
            let e = errno
            if e != EINTR { throw ArchiveError.system("close", path ?? "fd \(fd)", errno: e) }
        }
    }
}

/// Reads from a file descriptor, retrying EINTR.
public final class FileDescriptorSource: ByteSource {
    public let fd: Int32
    public let path: String?
    private let ownsDescriptor: Bool
    private var closed = false

    public init(fd: Int32, ownsDescriptor: Bool = false) {
        self.fd = fd
        self.path = nil
        self.ownsDescriptor = ownsDescriptor
    }

    /// Opens `path` for reading; the descriptor is closed by `close()` or on release.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.system("open", path) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        self.fd = fd
        self.path = path
        self.ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor && !closed { Glibc.close(fd) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !closed else { throw ArchiveError(.badInput, "read from a closed source") }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 { return n }
            let e = errno
            if e == EINTR { continue }
            throw ArchiveError.system("read", path ?? "fd \(fd)", errno: e)
        }
    }

    public func close() {
        guard !closed else { return }
        closed = true
        if ownsDescriptor { Glibc.close(fd) }
    }

    /// The bytes left to read when the descriptor is a regular file (nil for pipes, sockets):
    /// what an unpacker checks against free disk space before it writes anything.
    public var remainingSize: Int? {
        var st = stat()
        guard !closed, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let at = lseek(fd, 0, SEEK_CUR)
        return at >= 0 ? max(0, Int(st.st_size) - Int(at)) : nil
    }
}

// MARK: - Closures and memory

/// A sink that hands every chunk to a closure (tests, HTTP response streaming).
/// The buffer passed to `onWrite` is only valid during the call.
public final class CallbackSink: ByteSink {
    private let onWrite: (UnsafeRawBufferPointer) throws -> Void
    private let onClose: (() throws -> Void)?
    private var closed = false

    public init(
        write: @escaping (UnsafeRawBufferPointer) throws -> Void, close: (() throws -> Void)? = nil
    ) {
        self.onWrite = write
        self.onClose = close
    }

    public func write(_ raw: UnsafeRawBufferPointer) throws {
        guard !closed else { throw ArchiveError(.badInput, "write to a closed sink") }
        try onWrite(raw)
    }

    public func close() throws {
        guard !closed else { return }
        closed = true
        try onClose?()
    }
}

/// Reads from bytes held in memory (small archives, tests).
public final class BufferSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }

    public var remainingSize: Int? { bytes.count - offset }
}

// MARK: - Hashing decorators

/// Passes bytes through to another sink while computing their SHA-256 and count, so a
/// stream's checksum comes out of the same pass that writes it.
public final class HashingSink: ByteSink {
    public let inner: any ByteSink
    private let hasher = StreamHasher()
    public private(set) var byteCount = 0

    public init(_ inner: any ByteSink) { self.inner = inner }

    public func write(_ raw: UnsafeRawBufferPointer) throws {
        try inner.write(raw)
        hasher.update(raw)
        byteCount += raw.count
    }

    public func close() throws { try inner.close() }

    /// SHA-256 of every byte written so far; call once the stream is complete.
    public func finalizeHex() -> String { hasher.finalizeHex() }
}

extension ByteSource {
    /// Reads whatever the stream still holds, so a consumer that stopped early (a tar reader at
    /// the end-of-archive marker) still sees the whole input: a hashing source then covers every
    /// byte, and a transfer ends cleanly.
    public func drain(bufferSize: Int = SHA256Hasher.chunkSize) throws {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buf.deallocate() }
        while try read(into: buf) > 0 {}
    }
}

/// Reads through another source while computing the SHA-256 and count of the bytes read.
public final class HashingSource: ByteSource {
    public let inner: any ByteSource
    private let hasher = StreamHasher()
    public private(set) var byteCount = 0

    public init(_ inner: any ByteSource) { self.inner = inner }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n > 0 {
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            byteCount += n
        }
        return n
    }

    public var remainingSize: Int? { inner.remainingSize }

    /// SHA-256 of every byte read so far.
    public func finalizeHex() -> String { hasher.finalizeHex() }
}
