import CArchive
#if canImport(Glibc)
import Glibc
#endif

/// How stored and streamed archives are compressed: `none` (plain tar, which Qdrant reads; the
/// default) or `zstd` (level 3). Readers detect zstd by its magic bytes, so every command and
/// route that reads an archive takes either.
public enum SnapshotCompression: String, Codable, Sendable, CaseIterable {
    case none, zstd

    /// `sink`, compressed when `self` is `.zstd`.
    public func wrap(_ sink: any ByteSink) throws -> any ByteSink {
        self == .zstd ? try ZstdSink(sink) : sink
    }
}

/// Compresses everything written into one zstd frame on `inner`, streaming, through
/// libarchive's zstd filter (libarchive is linked with libzstd; its `raw` format passes the
/// bytes through unchanged). `close()` ends the frame and closes `inner`.
public final class ZstdSink: ByteSink {
    public let inner: any ByteSink
    private var archive: OpaquePointer?
    private var innerError: (any Error)?
    private var closed = false

    public init(_ inner: any ByteSink, level: Int = 3) throws {
        guard let a = archive_write_new(), let e = archive_entry_new() else { fatalError("libarchive: out of memory") }
        defer { archive_entry_free(e) }
        self.inner = inner
        archive = a
        var r = archive_write_add_filter_zstd(a)
        if r == ARCHIVE_OK { r = archive_write_set_filter_option(a, "zstd", "compression-level", "\(level)") }
        if r == ARCHIVE_OK { r = archive_write_set_format_raw(a) }
        if r == ARCHIVE_OK { r = archive_write_set_bytes_per_block(a, 0) }
        if r == ARCHIVE_OK {
            r = archive_write_open(
                a, Unmanaged.passUnretained(self).toOpaque(), nil,
                { _, client, data, length in
                    let sink = Unmanaged<ZstdSink>.fromOpaque(client!).takeUnretainedValue()
                    do {
                        try sink.inner.write(UnsafeRawBufferPointer(start: data, count: length))
                        return length
                    } catch {
                        sink.innerError = error
                        return -1
                    }
                }, nil)
        }
        if r == ARCHIVE_OK {
            archive_entry_set_pathname(e, "data")
            archive_entry_set_filetype(e, UInt32(QDB_AE_IFREG))
            r = archive_write_header(a, e)
        }
        if r != ARCHIVE_OK { throw failure("start zstd compression") }
    }

    deinit {
        if let archive { archive_write_free(archive) }
    }

    private func failure(_ what: String) -> any Error {
        if let innerError { return innerError }
        let text = archive.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? "unknown error"
        return ArchiveError(.io, "cannot \(what): \(text)")
    }

    public func write(_ raw: UnsafeRawBufferPointer) throws {
        guard !closed, let archive else { throw ArchiveError(.badInput, "write to a closed sink") }
        var off = 0
        while off < raw.count {
            let n = archive_write_data(archive, raw.baseAddress! + off, raw.count - off)
            if n <= 0 { throw failure("compress") }
            off += n
        }
    }

    public func close() throws {
        guard !closed else { return }
        closed = true
        if let archive, archive_write_close(archive) != ARCHIVE_OK { throw failure("finish the zstd frame") }
        try inner.close()
    }

    /// Whether `bytes` start with zstd's frame magic (28 B5 2F FD).
    public static func isZstd(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x28 && bytes[1] == 0xB5 && bytes[2] == 0x2F && bytes[3] == 0xFD
    }
}
