import CQDBSys
#if canImport(Glibc)
import Glibc
#endif

/// Bounds on what an extraction may write; exceeding any throws `.tooLarge` before the entry's
/// first byte is written.
public struct ExtractLimits: Sendable, Equatable {
    /// Largest single file, in bytes (default 1 TiB).
    public var maxEntrySize: Int
    /// Largest sum of file sizes, in bytes (default 4 TiB).
    public var maxTotalSize: Int
    /// Most entries, files and directories together (default 1,000,000).
    public var maxEntries: Int
    /// How far the declared sizes (holes of sparse entries included) may exceed the bytes the
    /// archive really delivered: at every entry, the sum of declared sizes must stay within
    /// `expansionFactor` × real bytes + `expansionAllowance` (defaults 4096× and 256 MiB; a
    /// 20 KB archive declaring 4 GiB is refused before its first byte is written). Holes cost
    /// no disk (they are seeked over) but are hashed as zeros, about 1 s per GB, so the factor
    /// bounds that work over many entries, as `holes` bounds it for each one. It is what
    /// Qdrant's format needs: a sparse-only segment carries about 67 MiB of preallocated, empty
    /// gridstore pages and trackers against some 90 KB of real bytes (~700×), and a nearly
    /// empty appendable segment of Qdrant's holds a 32 MiB chunk per vector and a 32 MiB page
    /// (thousands ×; the allowance covers a few such segments).
    public var expansionFactor: Int
    public var expansionAllowance: Int
    /// The holes one entry may declare, by what Qdrant's preallocated files need (`HoleBound`).
    public var holes: HoleBound
    /// Bytes left free on the staging filesystem: an entry whose stored data would eat into
    /// them is refused with `.insufficientStorage` before it is written (default 16 MiB).
    public var reservedFreeBytes: Int

    public init(
        maxEntrySize: Int = 1 << 40, maxTotalSize: Int = 1 << 42, maxEntries: Int = 1_000_000,
        expansionFactor: Int = 4096, expansionAllowance: Int = 256 << 20, reservedFreeBytes: Int = 16 << 20,
        holes: HoleBound = HoleBound()
    ) {
        self.maxEntrySize = maxEntrySize
        self.maxTotalSize = maxTotalSize
        self.maxEntries = maxEntries
        self.expansionFactor = expansionFactor
        self.expansionAllowance = expansionAllowance
        self.reservedFreeBytes = reservedFreeBytes
        self.holes = holes
    }

    /// Throws `.insufficientStorage` when `bytes` more would not fit on the filesystem of
    /// `directory` with `reservedFreeBytes` left over.
    func checkFreeSpace(_ bytes: Int, in directory: String, entry: String?) throws {
        guard let free = Bounds.freeBytes(at: directory) else { return }
        guard bytes <= free - min(free, reservedFreeBytes) else {
            let what = entry.map { "Tar entry `\($0)` needs" } ?? "The archive needs"
            throw ArchiveError(
                .insufficientStorage, "\(what) \(bytes) bytes but only \(free) are free on the storage filesystem; free some disk space and retry",
                path: entry)
        }
    }
}

/// Unpacks a `TarReader` into a fresh staging directory, hostile-input safe:
///
/// - the staging directory must exist, be a real directory (not a symlink) and be empty;
/// - every path is resolved with `openat` from directory descriptors opened with
///   `O_DIRECTORY | O_NOFOLLOW`, so nothing is ever written through a symlink, even one
///   that appears under staging while the extraction runs;
/// - files are created with `O_CREAT | O_EXCL | O_NOFOLLOW`: nothing is overwritten, and a
///   duplicate entry or a file/directory clash throws `.corrupt`;
/// - parent directories are created as needed (archives need not list them);
/// - files get their archived permission bits masked to `0o755`, plus owner read/write;
///   directories are `0o755`; no owner, setuid or time metadata is applied.
///
/// On error, whatever was written stays inside staging; the caller deletes staging.
public final class TarExtractor {
    public let reader: TarReader
    public let staging: String

    private var rootFd: Int32 = -1
    private var started = false
    /// Open directory descriptors by relative path (staging itself is `rootFd`).
    private var dirs: [String: Int32] = [:]
    private static let maxCachedDirs = 128
    /// Entries at least this large are hashed on a thread of their own (see `StreamHasher`).
    static let relayedHashSize = 4 << 20
    /// Whether files start writeback as they are written (every `FileDescriptorSink.writebackChunk`
    /// bytes and at close), for an extraction that is fsynced at its end or by its caller: the
    /// disk then works while the stream still arrives, and the fsync waits only for the tail.
    private var durable = false

    public init(reader: TarReader, staging: String) {
        self.reader = reader
        self.staging = staging
    }

    deinit { closeAll() }

    /// Extracts every entry and returns the digest of every regular file, in archive order.
    /// With `fsync`, every file and directory (staging included) is synced at the end.
    ///   With `writeback` (default: `fsync`), files start writeback as they are written, for a
    ///   caller that syncs them itself later.
    public func extract(limits: ExtractLimits = ExtractLimits(), fsync: Bool = false, writeback: Bool? = nil) throws -> [FileDigest] {
        guard !started else { throw ArchiveError(.badInput, "TarExtractor.extract can only run once") }
        started = true
        try openStaging()
        defer { closeAll() }
        durable = writeback ?? fsync
        var files: [FileDigest] = []
        var createdDirs: Set<String> = []
        var entries = 0
        var total = 0
        while let entry = try reader.next() {
            entries += 1
            if entries > limits.maxEntries {
                throw ArchiveError(
                    .tooLarge, "Tar archive has more than \(limits.maxEntries) entries, over the configured limit",
                    path: entry.path)
            }
            let parts = entry.path.split(separator: "/").map(String.init)
            if dirs.count > Self.maxCachedDirs { closeCachedDirs() }
            switch entry.kind {
            case .directory:
                _ = try directory(parts[...], created: &createdDirs)
            case .file:
                if entry.size > limits.maxEntrySize {
                    throw ArchiveError(
                        .tooLarge, "Tar entry `\(entry.path)` is \(entry.size) bytes, over the \(limits.maxEntrySize)-byte limit per file",
                        path: entry.path)
                }
                if entry.size > limits.maxTotalSize - total {
                    throw ArchiveError(
                        .tooLarge, "Tar archive content exceeds the \(limits.maxTotalSize)-byte limit at `\(entry.path)`",
                        path: entry.path)
                }
                total += entry.size
                try limits.checkExpansion(entry, declared: total, consumed: reader.bytesConsumed)
                // Data the stream cannot hold is a forged or truncated header: refused as such
                // (400), never as a full disk (507) that depends on the machine's free space.
                if let bound = reader.sizeBound, entry.dataSize > bound {
                    throw ArchiveError(
                        .corrupt, "Tar entry `\(entry.path)` declares \(entry.dataSize) bytes of data, more than the whole archive's \(bound) bytes (truncated or forged header)",
                        path: entry.path)
                }
                try limits.checkFreeSpace(entry.dataSize, in: staging, entry: entry.path)
                let parent = try directory(parts.dropLast(), created: &createdDirs)
                files.append(try writeFile(entry, name: parts.last!, in: parent))
            }
        }
        if fsync { try syncAll(files: files, dirs: createdDirs) }
        return files
    }

    // MARK: Files

    private func writeFile(_ entry: TarEntry, name: String, in parent: Int32) throws -> FileDigest {
        let mode = mode_t((entry.permissions & 0o755) | 0o600)
        let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let e = errno
            if e == EEXIST || e == ELOOP || e == EISDIR {
                throw ArchiveError(
                    .corrupt, "Tar archive lists `\(entry.path)` twice or over another entry; it is not a valid snapshot",
                    cause: ArchiveError.SystemFailure(call: "openat", errno: e), path: entry.path)
            }
            throw ArchiveError.system("create", "\(staging)/\(entry.path)", errno: e, path: entry.path)
        }
        var closed = false
        defer { if !closed { close(fd) } }
        // A large entry is hashed on a second thread while this one writes it; a small one inline.
        let relay = entry.size >= TarExtractor.relayedHashSize ? StreamHasher() : nil
        let inline = relay == nil ? SHA256Hasher() : nil
        var written = 0
        var writebackFrom = 0
        func hash(_ chunk: UnsafeRawBufferPointer) { if let relay { relay.update(chunk) } else { inline!.update(chunk) } }
        // A hole (a gap in a sparse entry's data) is hashed as zeros but left a hole on disk: it
        // costs no space, however large the archive says it is.
        func skip(to offset: Int) throws {
            guard offset > written else { return }
            TarExtractor.zeros(offset - written, hash)
            guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
                throw ArchiveError.system("seek", "\(staging)/\(entry.path)", path: entry.path)
            }
            written = offset
            writebackFrom = offset
        }
        try reader.readBlocks { offset, chunk in
            try skip(to: offset)
            hash(chunk)
            var off = 0
            while off < chunk.count {
                let n = write(fd, chunk.baseAddress! + off, chunk.count - off)
                if n < 0 {
                    let e = errno
                    if e == EINTR { continue }
                    throw ArchiveError.system("write", "\(staging)/\(entry.path)", errno: e, path: entry.path)
                }
                off += n
            }
            written += chunk.count
            if durable && written - writebackFrom >= FileDescriptorSink.writebackChunk {
                _ = qdb_start_writeback(fd, Int64(writebackFrom), Int64(written - writebackFrom))
                writebackFrom = written
            }
        }
        if durable && written > writebackFrom { _ = qdb_start_writeback(fd, Int64(writebackFrom), Int64(written - writebackFrom)) }
        if entry.size > written {
            TarExtractor.zeros(entry.size - written, hash)
            guard ftruncate(fd, off_t(entry.size)) == 0 else {
                throw ArchiveError.system("truncate", "\(staging)/\(entry.path)", path: entry.path)
            }
            written = entry.size
        }
        closed = true
        if close(fd) != 0 {
            let e = errno
            if e != EINTR { throw ArchiveError.system("close", "\(staging)/\(entry.path)", errno: e, path: entry.path) }
        }
        guard written == entry.size else {
            throw ArchiveError(
                .corrupt, ArchiveError.malformedMessage, path: entry.path)
        }
        return FileDigest(path: entry.path, size: written, sha256: relay?.finalizeHex() ?? inline!.finalizeHex())
    }

    /// 64 KiB of zeros, for hashing holes.
    private static let zeroBlock = [UInt8](repeating: 0, count: 1 << 16)

    static func zeros(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        zeroBlock.withUnsafeBytes { z in
            var left = count
            while left > 0 {
                let n = min(left, z.count)
                body(UnsafeRawBufferPointer(rebasing: z[..<n]))
                left -= n
            }
        }
    }

    // MARK: Directories

    private func openStaging() throws {
        let fd = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ELOOP || e == ENOTDIR {
                throw ArchiveError(.badInput, "Staging path \(staging) is not a directory (or is a symlink)")
            }
            throw ArchiveError.system("open", staging, errno: e)
        }
        rootFd = fd
        let dupFd = dup(fd)
        guard dupFd >= 0, let d = fdopendir(dupFd) else {
            if dupFd >= 0 { close(dupFd) }
            throw ArchiveError.system("read directory", staging)
        }
        defer { closedir(d) }
        while let ent = readdir(d) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." {
                throw ArchiveError(.badInput, "Staging directory \(staging) must be empty; it holds `\(name)`")
            }
        }
    }

    /// The descriptor of the directory at `parts` under staging, creating missing components.
    /// Owned by the cache (or `rootFd` for the empty path): do not close it.
    private func directory(_ parts: ArraySlice<String>, created: inout Set<String>) throws -> Int32 {
        if parts.isEmpty { return rootFd }
        let path = parts.joined(separator: "/")
        if let fd = dirs[path] { return fd }
        let parent = try directory(parts.dropLast(), created: &created)
        let name = parts.last!
        if mkdirat(parent, name, 0o755) != 0 {
            let e = errno
            if e != EEXIST { throw ArchiveError.system("mkdir", "\(staging)/\(path)", errno: e, path: path) }
        }
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ENOTDIR || e == ELOOP {
                throw ArchiveError(
                    .corrupt, "Tar archive needs directory `\(path)` where a file or link exists; it is not a valid snapshot",
                    cause: ArchiveError.SystemFailure(call: "openat", errno: e), path: path)
            }
            throw ArchiveError.system("open directory", "\(staging)/\(path)", errno: e, path: path)
        }
        dirs[path] = fd
        created.insert(path)
        return fd
    }

    private func syncAll(files: [FileDigest], dirs created: Set<String>) throws {
        var unused: Set<String> = []
        for file in files {
            if dirs.count > Self.maxCachedDirs { closeCachedDirs() }
            let parts = file.path.split(separator: "/").map(String.init)
            let parent = try directory(parts.dropLast(), created: &unused)
            let fd = openat(parent, parts.last!, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw ArchiveError.system("open", "\(staging)/\(file.path)", path: file.path) }
            defer { close(fd) }
            guard Glibc.fsync(fd) == 0 else { throw ArchiveError.system("fsync", "\(staging)/\(file.path)", path: file.path) }
        }
        // Deepest first, so each directory's entry in its parent is synced after its content.
        for path in created.sorted(by: { $0.utf8.count > $1.utf8.count }) {
            if dirs.count > Self.maxCachedDirs { closeCachedDirs() }
            let fd = try directory(path.split(separator: "/").map(String.init)[...], created: &unused)
            guard Glibc.fsync(fd) == 0 else { throw ArchiveError.system("fsync", "\(staging)/\(path)", path: path) }
        }
        guard Glibc.fsync(rootFd) == 0 else { throw ArchiveError.system("fsync", staging) }
    }

    private func closeCachedDirs() {
        for fd in dirs.values { close(fd) }
        dirs.removeAll(keepingCapacity: true)
    }

    private func closeAll() {
        closeCachedDirs()
        if rootFd >= 0 { close(rootFd) }
        rootFd = -1
    }
}
