import CZlib
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A shard's write-ahead log: one append-only file of framed records.
///
/// Frame: `u32 length | u32 crc32(body) | body`, where body = `u64 seq | operation bytes`.
/// A record is durable once `sync()` returns. On open, records are read until the first one that is
/// short or fails its CRC — a torn tail from a crash mid-write — and the file is truncated there.
/// Not thread-safe: the owning `Shard` serializes access under its write lock.
final class WAL {
    struct Record {
        var seq: UInt64
        var body: [UInt8]
    }

    static let maxRecordBytes = 1 << 30
    let dir: String
    private(set) var path: String
    private var fd: Int32
    private(set) var size: Int = 0
    private var dirty = false

    /// Opens (creating if needed) the log in `dir` and returns it with every intact record.
    static func open(dir: String, logger: Logger) throws -> (WAL, [Record]) {
        try FileIO.makeDirectories(dir)
        let files = FileIO.listDirectory(dir).filter { $0.hasPrefix("wal-") && $0.hasSuffix(".log") }
        var records: [Record] = []
        var keepPath: String?
        var keepSize = 0
        for name in files {
            let p = dir + "/" + name
            let bytes = try FileIO.readAll(p)
            let (recs, good) = parse(bytes)
            records.append(contentsOf: recs)
            if good < bytes.count {
                logger.warning("dropping a torn WAL tail", metadata: ["file": "\(p)", "bytes": "\(bytes.count - good)"])
                guard truncate(p, off_t(good)) == 0 else { throw FileIO.ioError("truncate \(p)") }
            }
            keepPath = p
            keepSize = good
        }
        let path = keepPath ?? dir + "/wal-\(String(format: "%020d", 0)).log"
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.ioError("open \(path)") }
        let wal = WAL(dir: dir, path: path, fd: fd)
        wal.size = keepSize
        if keepPath == nil { try FileIO.syncDirectory(dir) }
        return (wal, records)
    }

    private init(dir: String, path: String, fd: Int32) {
        self.dir = dir
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Parses intact records; returns them and the byte length of the intact prefix.
    static func parse(_ bytes: [UInt8]) -> ([Record], Int) {
        var out: [Record] = []
        var off = 0
        bytes.withUnsafeBytes { raw in
            while off + 8 <= raw.count {
                let len = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: off, as: UInt32.self)))
                let crc = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: off + 4, as: UInt32.self))
                guard len >= 8, len <= maxRecordBytes, off + 8 + len <= raw.count else { break }
                let body = UnsafeRawBufferPointer(rebasing: raw[(off + 8)..<(off + 8 + len)])
                guard checksum(body) == crc else { break }
                let seq = UInt64(littleEndian: body.loadUnaligned(as: UInt64.self))
                out.append(Record(seq: seq, body: Array(body[8...])))
                off += 8 + len
            }
        }
        return (out, off)
    }

    static func checksum(_ raw: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = raw.baseAddress else { return 0 }
        return UInt32(crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(raw.count)))
    }

    /// Appends one record (written to the file, not yet fsynced).
    func append(seq: UInt64, body: [UInt8]) throws {
        var frame = ByteWriter(capacity: body.count + 16)
        frame.u32(UInt32(body.count + 8))
        frame.u32(0)
        frame.u64(seq)
        frame.bytes.append(contentsOf: body)
        let crc = frame.bytes.withUnsafeBytes { WAL.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        withUnsafeBytes(of: crc.littleEndian) { c in
            for i in 0..<4 { frame.bytes[4 + i] = c[i] }
        }
        guard frame.bytes.count - 8 <= WAL.maxRecordBytes else {
            throw StorageError(.badInput, "operation too large for one WAL record")
        }
        let before = size
        do {
            try FileIO.writeAll(fd: fd, frame.bytes)
        } catch {
            // Never leave a half-written frame in front of later records.
            _ = ftruncate(fd, off_t(before))
            throw error
        }
        size += frame.bytes.count
        dirty = true
    }

    /// Makes every appended record durable.
    func sync() throws {
        guard dirty else { return }
        guard fdatasync(fd) == 0 else { throw FileIO.ioError("fsync \(path)") }
        dirty = false
    }

    /// Goes on in a fresh log file whose name records `nextSeq`, keeping the older files (a
    /// background seal then drops them with `dropFiles(through:)` once its segment is listed).
    /// The current file's records are made durable first: later syncs reach only the new file.
    func rotate(nextSeq: UInt64) throws {
        try sync()
        let newPath = dir + "/wal-\(String(format: "%020llu", nextSeq)).log"
        let nfd = Glibc.open(newPath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard nfd >= 0 else { throw FileIO.ioError("open \(newPath)") }
        try FileIO.syncDirectory(dir)
        close(fd)
        fd = nfd
        path = newPath
        size = 0
        dirty = false
    }

    /// Removes the files before the current one whose records all have sequence numbers up to
    /// `seq` (a file holds the records from the number in its name up to the next file's).
    func dropFiles(through seq: UInt64) throws {
        let names = FileIO.listDirectory(dir).filter { $0.hasPrefix("wal-") && $0.hasSuffix(".log") }
        let starts = names.map { UInt64($0.dropFirst(4).dropLast(4)) }
        var removed = false
        for k in names.indices where dir + "/" + names[k] != path {
            guard k + 1 < names.count, let next = starts[k + 1], next <= seq + 1 else { continue }
            unlink(dir + "/" + names[k])
            removed = true
        }
        if removed { try FileIO.syncDirectory(dir) }
    }

    /// Starts a fresh, empty log file whose name records `nextSeq`, then removes older files.
    /// Called after a seal has made every earlier record redundant.
    func reset(nextSeq: UInt64) throws {
        try rotate(nextSeq: nextSeq)
        for name in FileIO.listDirectory(dir) where name.hasPrefix("wal-") && dir + "/" + name != path { unlink(dir + "/" + name) }
        try FileIO.syncDirectory(dir)
    }
}
