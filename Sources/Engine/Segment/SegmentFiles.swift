import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File helpers of the segment readers and writers: durable writes with Qdrant's preallocated
/// (sparse) sizes, and size-checked reads that name the file relative to its segment.
enum SegmentFiles {
    /// Writes `raw` to `path` and fsyncs it. With `preallocate` larger than the data, the file is
    /// extended to that size with a hole (what Qdrant's `create_and_ensure_length` leaves).
    static func write(_ path: String, _ raw: UnsafeRawBufferPointer, preallocate: Int = 0) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.ioError("create \(path)") }
        defer { close(fd) }
        try FileIO.writeAll(fd: fd, raw)
        if preallocate > raw.count {
            guard ftruncate(fd, off_t(preallocate)) == 0 else { throw FileIO.ioError("extend \(path)") }
        }
        guard fsync(fd) == 0 else { throw FileIO.ioError("fsync \(path)") }
    }

    static func write(_ path: String, _ bytes: [UInt8], preallocate: Int = 0) throws {
        try bytes.withUnsafeBytes { try write(path, $0, preallocate: preallocate) }
    }

    /// The whole of a small file (`segment.json`, configs, status files): missing and oversized
    /// files are errors naming `relative`.
    static func readSmall(_ path: String, _ relative: String, limit: Int = 16 << 20) throws -> [UInt8] {
        guard let size = try? FileIO.size(path) else { throw SegmentFormatError(.missing, relative, "is missing") }
        guard size <= limit else { throw SegmentFormatError(.corrupt, relative, "is \(size) bytes, more than \(limit) allowed") }
        return try FileIO.readAll(path)
    }

    /// A mapping of `path` (nil when empty), or `.missing` naming `relative`.
    static func map(_ path: String, _ relative: String) throws -> MappedFile? {
        guard FileIO.exists(path) else { throw SegmentFormatError(.missing, relative, "is missing") }
        return try MappedFile(path: path)
    }
}

extension MappedFile? {
    /// The mapped bytes (empty for an empty file).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: self?.base, count: self?.count ?? 0))
    }
}
