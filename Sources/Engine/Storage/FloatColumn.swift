import CQDBSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only, shared mapping of a whole file, unmapped when the last reference goes. qdb never
/// changes a mapped file in place (sealed segment files are only ever replaced by rename or
/// unlinked, and a mapping outlives both). Against anything else truncating or rewriting it —
/// which would make reads raise SIGBUS — the mapping holds a read lease on the file: the other
/// process's open-for-write or truncate waits while qdb copies the mapped bytes into anonymous
/// memory at the same address, then proceeds (`qdb_map_guard`). Where no lease can be had (a
/// file system without leases, a file not owned by qdb's user), the mapping is unguarded.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int
    /// The guard against the file changing under the mapping (`qdb_map_guard`: a read lease
    /// whose break moves the mapping to an anonymous copy first), or -1 when none could be had.
    private let guardID: Int32

    /// Maps `path`; nil for an empty file (nothing to map).
    convenience init?(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.ioError("open \(path)") }
        defer { close(fd) }
        try self.init(fd: fd, path: path)
    }

    /// Maps the file open at `fd` (named `path` in errors); nil for an empty file. The caller
    /// keeps and closes `fd`.
    init?(fd: Int32, path: String) throws {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileIO.ioError("stat \(path)") }
        count = Int(st.st_size)
        guard count > 0 else { return nil }
        guard let p = mmap(nil, count, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw FileIO.ioError("mmap \(path)")
        }
        base = UnsafeRawPointer(p)
        guardID = qdb_map_guard(dup(fd), p, count)
    }

    deinit {
        qdb_map_unguard(guardID)
        munmap(UnsafeMutableRawPointer(mutating: base), count)
    }

    /// Whether the file changed (was opened for writing or truncated by another process) and
    /// the mapping now holds an anonymous copy of what it had.
    var isDetached: Bool { qdb_map_guard_detached(guardID) != 0 }

    /// Drops the process's view of the whole pages in [`from`, `offset`) (`from` page-aligned;
    /// the file's pages stay in the page cache and come back on the next access), and returns
    /// the page boundary reached.
    func release(from: Int, upTo offset: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, count) / page * page
        if end > from { qdb_map_guard_dontneed(guardID, UnsafeMutableRawPointer(mutating: base + from), end - from) }
        return max(end, from)
    }
}

/// One vector slot's floats, `count * dim` of them: a growable array in the appendable segment,
/// or a mapping of a sealed segment's `vectors-<slot>.f32`, which the page cache then holds
/// instead of the process (a loaded or recovered segment costs no copy and no anonymous memory,
/// and pages are read only when a search touches them).
struct FloatColumn {
    private var owned: [Float] = []
    private let mapping: MappedFile?
    /// Where the floats start in the mapping (4 in Qdrant's `matrix.dat`, after its magic).
    private var start = 0

    init() { mapping = nil }

    /// Floats already in memory (a segment read from chunked files).
    init(_ floats: [Float]) {
        owned = floats
        mapping = nil
    }

    /// The floats of the file at `path` from byte `offset` on, mapped; throws when it does not
    /// hold exactly `floats` there. `offset` must keep `Float` loads aligned (a multiple of 4).
    init(mapping path: String, offset: Int = 0, floats: Int) throws {
        precondition(offset % MemoryLayout<Float>.alignment == 0)
        let m = try MappedFile(path: path)
        guard (m?.count ?? 0) == offset + floats * MemoryLayout<Float>.stride || (m == nil && floats == 0) else {
            throw StorageError(.corrupt, "\(path) holds \(m?.count ?? 0) bytes, expected \(offset + floats * MemoryLayout<Float>.stride)")
        }
        mapping = m
        start = m == nil ? 0 : offset
    }

    var count: Int { mapping.map { ($0.count - start) / MemoryLayout<Float>.stride } ?? owned.count }

    mutating func append(contentsOf floats: some Sequence<Float>) {
        precondition(mapping == nil, "a mapped column is read-only")
        owned.append(contentsOf: floats)
    }

    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        guard let mapping else { return try owned.withUnsafeBufferPointer(body) }
        return try body(UnsafeBufferPointer(start: (mapping.base + start).assumingMemoryBound(to: Float.self), count: count))
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
    }

    /// A copy of `range`.
    subscript(range: Range<Int>) -> [Float] {
        withUnsafeBufferPointer { Array($0[range]) }
    }
}
