import CArchive
#if canImport(Glibc)
import Glibc
#endif

/// One validated entry of a tar archive: a regular file or a directory with a safe relative path.
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
    }

    /// Relative, `/`-separated, normalized (no leading `./`, no trailing `/`).
    public var path: String
    public var kind: Kind
    /// Content size in bytes (0 for directories). For GNU sparse files, the expanded size.
    public var size: Int
    /// Permission bits (`0o7777` mask) as recorded in the archive.
    public var permissions: UInt32
    /// Modification time in seconds since the epoch, as recorded in the archive.
    public var modificationTime: Int64
    /// Bytes of content the archive really carries for this entry: `size` for a plain file, the
    /// sum of the data regions of a GNU sparse file (its holes are declared, not stored).
    public var dataSize: Int

    /// Declared-but-absent bytes: the holes of a sparse file.
    public var holeSize: Int { size - dataSize }
}

/// Reads an uncompressed tar archive (GNU, ustar or pax, including GNU sparse files) from a
/// `ByteSource`, streaming, with every entry validated before it is returned:
///
/// - only regular files and directories; symlinks, hardlinks, devices, fifos and sockets throw
///   `.forbiddenEntry` with `Forbidden entry type in tar archive: <type>`;
/// - absolute paths, `..` components, empty names, control characters and invalid UTF-8
///   throw `.unsafePath`; `./` prefixes and `a//b` spellings are normalized; an entry for the
///   archive root itself (`./`) is skipped;
/// - input compressed other than with zstd, garbage and truncation throw `.corrupt` with a fixed message
///   (`ArchiveError.malformedMessage`); libarchive's text is kept in `cause` for logs.
///
/// Errors from the source are rethrown unchanged. After any error the reader is unusable and
/// rethrows that error. Unknown tar type flags are reported by libarchive as regular files
/// (POSIX says to treat them so) and are accepted as such.
public final class TarReader {
    public let source: any ByteSource
    /// The entry `next()` returned last.
    public private(set) var current: TarEntry?
    /// Entries returned so far.
    public private(set) var entryCount = 0
    /// Bytes read from the source so far (what the archive has really delivered; libarchive
    /// reads ahead by up to one buffer).
    public private(set) var bytesConsumed = 0

    /// At most how many bytes the whole archive can hold, when the source knows its size: what
    /// was read plus what is still to come. Nil when unknown, or when the archive is compressed
    /// (an entry may then legitimately hold more than the stream).
    public var sizeBound: Int? {
        guard let archive, archive_filter_code(archive, 0) == ARCHIVE_FILTER_NONE,
            let rest = source.remainingSize
        else { return nil }
        return Bounds.sum(bytesConsumed, rest)
    }

    private var archive: OpaquePointer?
    private let buffer: UnsafeMutableRawBufferPointer
    private var sourceError: (any Error)?
    private var failed: (any Error)?
    private var dataRead = true
    private var atEnd = false
    private var zeros: UnsafeMutableRawBufferPointer?

    /// - Parameter bufferSize: the size of the reads asked of the source (1 MiB by default).
    public init(source: any ByteSource, bufferSize: Int = 1 << 20) throws {
        precondition(bufferSize >= 512, "TarReader bufferSize must be at least one tar block")
        guard let a = archive_read_new() else { fatalError("libarchive: out of memory") }
        self.source = source
        self.archive = a
        self.buffer = .allocate(byteCount: bufferSize, alignment: 4096)
        var r = archive_read_support_format_tar(a)
        // zstd-compressed archives (`--compress zstd`) are recognised by their magic and
        // decompressed as they stream; every other compression stays refused as corrupt.
        if r == ARCHIVE_OK { r = archive_read_support_filter_zstd(a) }
        if r == ARCHIVE_OK {
            r = archive_read_open(
                a, Unmanaged.passUnretained(self).toOpaque(), nil,
                { _, client, out in
                    let reader = Unmanaged<TarReader>.fromOpaque(client!).takeUnretainedValue()
                    return reader.clientRead(out!)
                }, nil)
        }
        if r != ARCHIVE_OK { throw fail(r) }
    }

    deinit {
        if let archive { archive_read_free(archive) }
        buffer.deallocate()
        zeros?.deallocate()
    }

    /// The next entry, validated, or nil at the end of the archive. Data of the previous entry
    /// that was not read is skipped.
    public func next() throws -> TarEntry? {
        if let failed { throw failed }
        if atEnd { return nil }
        while true {
            var ptr: OpaquePointer?
            let r = archive_read_next_header(archive, &ptr)
            if r == ARCHIVE_EOF {
                atEnd = true
                current = nil
                return nil
            }
            guard r == ARCHIVE_OK || r == ARCHIVE_WARN, let e = ptr else { throw fail(r) }
            do {
                guard let found = try validate(e) else { continue }
                current = found
                dataRead = found.kind == .directory
                entryCount += 1
                return found
            } catch {
                failed = error
                current = nil
                throw error
            }
        }
    }

    /// Streams the current entry's content to `body` in chunks (up to the buffer size), holes
    /// of sparse files as zeros. The chunks are only valid during the call. Does nothing for a
    /// directory or when the data was read already. An error thrown by `body` propagates and
    /// the reader stays usable (the rest of the entry is skipped by `next()`).
    public func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let entry = current else { return }
        var position = 0
        try readBlocks { offset, chunk in
            if offset > position { try emitZeros(offset - position, body) }
            try body(chunk)
            position = offset + chunk.count
        }
        if position < entry.size { try emitZeros(entry.size - position, body) }
    }

    /// Streams the current entry's stored data to `body` as (offset in the file, chunk), in
    /// increasing, non-overlapping order, each inside the entry's size; holes of sparse files are
    /// the gaps between chunks (and after the last one, up to `size`) and are never materialised.
    /// Same rules as `readData` otherwise.
    public func readBlocks(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        if let failed { throw failed }
        guard let entry = current, !dataRead else { return }
        dataRead = true
        var position = 0
        while true {
            var block: UnsafeRawPointer?
            var count = 0
            var offset: Int64 = 0
            let r = archive_read_data_block(archive, &block, &count, &offset)
            if r == ARCHIVE_EOF { break }
            guard r == ARCHIVE_OK || r == ARCHIVE_WARN else { throw fail(r) }
            // Offsets come from the archive's sparse map: checked without overflow (Bounds).
            guard let range = try? Bounds.range(offset: offset, length: Int64(count), available: entry.size, what: entry.path),
                range.lowerBound >= position
            else {
                throw fail(ARCHIVE_FATAL, detail: "data block at \(offset)+\(count) outside entry of \(entry.size) bytes")
            }
            if count > 0, let block { try body(range.lowerBound, UnsafeRawBufferPointer(start: block, count: count)) }
            position = range.upperBound
        }
    }

    /// Reads the current entry's content into memory (small entries such as JSON metadata).
    public func readAll(limit: Int) throws -> [UInt8] {
        guard let entry = current else { return [] }
        guard entry.size <= limit else {
            throw ArchiveError(.tooLarge, "Tar entry `\(entry.path)` is \(entry.size) bytes, over the \(limit)-byte limit", path: entry.path)
        }
        var out: [UInt8] = []
        out.reserveCapacity(entry.size)
        try readData { out.append(contentsOf: $0) }
        return out
    }

    // MARK: Validation

    /// The validated entry, or nil for an entry naming the archive root.
    private func validate(_ e: OpaquePointer) throws -> TarEntry? {
        let kind: TarEntry.Kind
        let type = archive_entry_filetype(e)
        if archive_entry_hardlink(e) != nil {
            throw forbidden("Link", e)
        } else if type == UInt32(QDB_AE_IFREG) {
            kind = .file
        } else if type == UInt32(QDB_AE_IFDIR) {
            kind = .directory
        } else {
            throw forbidden(Self.typeName(type), e)
        }
        guard let raw = archive_entry_pathname(e) ?? archive_entry_pathname_utf8(e) else {
            throw ArchiveError(.unsafePath, "Unsafe path in tar archive (name cannot be decoded)")
        }
        let normalized = try raw.withMemoryRebound(to: UInt8.self, capacity: strlen(raw)) {
            try TarEntry.normalize(rawPath: UnsafeBufferPointer(start: $0, count: strlen(raw)))
        }
        guard case .relative(let path) = normalized else {
            if kind == .directory { return nil }
            throw ArchiveError(.unsafePath, "Unsafe path in tar archive (empty name)", path: String(cString: raw))
        }
        let size = kind == .file ? archive_entry_size(e) : 0
        guard size >= 0, archive_entry_size_is_set(e) != 0 || kind == .directory else {
            throw fail(ARCHIVE_FATAL, detail: "entry `\(path)` has no valid size")
        }
        return TarEntry(
            path: path, kind: kind, size: Int(size), permissions: UInt32(archive_entry_perm(e)) & 0o7777,
            modificationTime: Int64(archive_entry_mtime(e)), dataSize: try dataSize(e, size: Int(size), path: path))
    }

    /// The bytes a (possibly sparse) file entry really stores: the sum of its sparse map's
    /// regions, each checked to lie inside the declared size (Bounds), else its size.
    private func dataSize(_ e: OpaquePointer, size: Int, path: String) throws -> Int {
        guard archive_entry_sparse_count(e) > 0 else { return size }
        var total = 0
        var offset: la_int64_t = 0
        var length: la_int64_t = 0
        _ = archive_entry_sparse_reset(e)
        while archive_entry_sparse_next(e, &offset, &length) == ARCHIVE_OK {
            guard (try? Bounds.range(offset: offset, length: length, available: size, what: path)) != nil,
                let t = Bounds.sum(total, Int(length))
            else { throw fail(ARCHIVE_FATAL, detail: "sparse map of `\(path)` has a region \(offset)+\(length) outside \(size) bytes") }
            total = t
        }
        return min(total, size)
    }

    private func forbidden(_ type: String, _ e: OpaquePointer) -> ArchiveError {
        let name = archive_entry_pathname(e).map { String(cString: $0) }
        return ArchiveError(.forbiddenEntry, "Forbidden entry type in tar archive: \(type)", path: name)
    }

    /// Names as the Rust `tar` crate prints them (Qdrant's message).
    static func typeName(_ type: UInt32) -> String {
        switch type {
        case 0o120000: return "Symlink"
        case 0o020000: return "Char"
        case 0o060000: return "Block"
        case 0o010000: return "Fifo"
        case 0o140000: return "Socket"
        default: return "Unknown(0o\(String(type, radix: 8)))"
        }
    }

    // MARK: libarchive plumbing

    private func clientRead(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        do {
            let n = try source.read(into: buffer)
            out.pointee = UnsafeRawPointer(buffer.baseAddress)
            bytesConsumed += n
            return n
        } catch {
            sourceError = error
            return -1
        }
    }

    /// Makes the reader unusable and returns the error to throw: the source's own error if it
    /// failed, else `.corrupt` with the fixed message and libarchive's text as the cause.
    private func fail(_ status: Int32, detail: String? = nil) -> any Error {
        if let failed { return failed }
        let error: any Error
        if let sourceError {
            error = sourceError
        } else {
            let text = detail ?? archive.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? "unknown error"
            let code = archive.map { archive_errno($0) } ?? 0
            error = ArchiveError(
                .corrupt, ArchiveError.malformedMessage,
                cause: ArchiveError.LibarchiveFailure(status: status, errno: code, text: text), path: current?.path)
        }
        failed = error
        return error
    }

    private func emitZeros(_ count: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let z = zeros ?? {
            let b = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 4096)
            b.initializeMemory(as: UInt8.self, repeating: 0)
            return b
        }()
        zeros = z
        var left = count
        while left > 0 {
            let n = min(left, z.count)
            try body(UnsafeRawBufferPointer(start: z.baseAddress, count: n))
            left -= n
        }
    }
}
