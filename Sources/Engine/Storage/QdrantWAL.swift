import Foundation

/// Qdrant's write-ahead log as it appears in shard snapshots (`lib/wal/src/segment.rs`,
/// `Wal::generate_empty_wal_starting_at_index`; reference §2.8). qdb's own WAL never leaves the
/// storage: archives carry Qdrant's stub instead, and the stubs (or logs) of archives made by
/// Qdrant are read only for the operation number they imply.
///
///     wal/closed-<K>   a segment file whose first entry would be operation K:
///                      8-byte header "wal", u8 version 0, u32 CRC seed; then entries
///                      {u64 len, data, padding to 8, u32 CRC32-C}
///     wal/open-<n>     an open segment file (same layout)
///     wal/first-index  {"ack_index": N}
enum QdrantWAL {
    /// The stub a shard snapshot holds when every operation up to `last` is in its segments:
    /// `closed-<last+1>` with just the header, padded to 4 KiB (Qdrant preallocates 32 MiB; the
    /// header is all its reader needs, as qdrant-edge confirms).
    static func stub(after last: UInt64) -> (name: String, bytes: [UInt8]) {
        var b = Array("wal".utf8) + [0]
        SegmentBytes.le(UInt32.random(in: 1...UInt32.max), into: &b)
        b += [UInt8](repeating: 0, count: 4096 - b.count)
        return ("closed-\(last + 1)", b)
    }

    /// Reads the Qdrant WAL files in `dir` (a restored archive's `wal/`), returns the last
    /// operation number they account for, and removes them (qdb's own log starts after it).
    /// - Throws: `SnapshotError(.badInput)` when a log holds operations: qdb cannot read
    ///   Qdrant's CBOR operations, and dropping them would silently lose writes.
    static func adopt(dir: String) throws -> UInt64 {
        var last: UInt64 = 0
        for name in FileIO.listDirectory(dir) {
            let path = dir + "/" + name
            if name == "first-index" {
                struct First: Decodable { var ack_index: UInt64 }
                guard let bytes = try? SegmentFiles.readSmall(path, "wal/first-index", limit: 4096),
                    let first = try? JSONDecoder().decode(First.self, from: Data(bytes))
                else { throw SnapshotError(.corrupt, "wal/first-index is not Qdrant's {\"ack_index\": N}") }
                last = max(last, first.ack_index)
            } else if name.hasPrefix("closed-") || name.hasPrefix("open-") {
                let head = try readHead(path, name)
                guard head.count >= 8, Array(head[0..<3]) == Array("wal".utf8), head[3] == 0 else {
                    throw SnapshotError(.corrupt, "wal/\(name) is not a Qdrant WAL segment (bad header)")
                }
                let firstLength = head.count >= 16 ? head.withUnsafeBytes { SegmentBytes.u64($0, 8)! } : 0
                guard firstLength == 0 else {
                    throw SnapshotError(.badInput, "wal/\(name) holds operations that are not in the segments; qdb cannot read Qdrant's WAL: flush the shard and snapshot it again (Qdrant's own snapshots carry an empty WAL)")
                }
                if name.hasPrefix("closed-"), let k = UInt64(name.dropFirst("closed-".count)), k > 0 { last = max(last, k - 1) }
            } else {
                continue
            }
            FileIO.removeTree(path)
        }
        return last
    }

    private static func readHead(_ path: String, _ name: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.ioError("open wal/\(name)") }
        defer { close(fd) }
        var b = [UInt8](repeating: 0, count: 16)
        let n = b.withUnsafeMutableBytes { read(fd, $0.baseAddress, 16) }
        guard n >= 0 else { throw FileIO.ioError("read wal/\(name)") }
        return Array(b.prefix(n))
    }
}
