import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a snapshot captured of one shard: a directory of hard links to its sealed segment files.
struct ShardCapture {
    var shardID: Int
    /// `<dir>/shard.json` and `<dir>/segments/<uuid>/<file>`.
    var dir: String
    var segments: [String]
    var points: Int
    /// The sequence number of the last operation the capture reflects.
    var flushedSeq: UInt64 = 0
    /// Segment id → file → size and SHA-256 recorded when the file was written.
    var digests: [String: [String: ArchiveMetadata.FileInfo]] = [:]

    /// The recorded size and SHA-256 of a captured segment file, in `TarWriter.addFile`'s form.
    func knownDigest(_ segment: String, _ file: String) -> (size: Int, sha256: String)? {
        digests[segment]?[file].map { (size: $0.size, sha256: $0.sha256) }
    }
}

extension Shard {
    /// Captures the shard for a snapshot without blocking it for longer than a seal.
    ///
    /// Under the write lock: seal the appendable segment (so the WAL holds nothing the segments
    /// lack), then hard-link every sealed segment file and copy `shard.json` into `dir`. Sealed
    /// files are never modified in place — a later seal replaces `id_tracker.deleted` and `segment.json`
    /// by rename, which leaves the linked inode as it was — so the capture stays consistent while
    /// the archive streams from it with no lock held. Every write acknowledged before this call
    /// is in the capture. `dir` must be on the storage's filesystem.
    func capture(into dir: String) throws -> ShardCapture {
        try lock.write {
            try sealLocked()
            try FileIO.makeDirectories(dir + "/segments")
            let live = segments.filter(\.isSealed)
            for seg in live {
                let from = segmentsDir + "/" + seg.id
                let to = dir + "/segments/" + seg.id
                try FileIO.makeDirectories(to)
                for name in Segment.files(under: from) {
                    if name.contains("/") { try FileIO.makeDirectories(((to + "/" + name) as NSString).deletingLastPathComponent) }
                    guard link(from + "/" + name, to + "/" + name) == 0 else { throw FileIO.ioError("link \(from)/\(name)") }
                }
            }
            try Segment.writeFile(dir + "/shard.json", try FileIO.readAll(self.dir + "/shard.json"))
            return ShardCapture(
                shardID: id, dir: dir, segments: live.map(\.id), points: index.count, flushedSeq: flushedSeq,
                digests: Dictionary(uniqueKeysWithValues: live.map { ($0.id, $0.fileDigests) }))
        }
    }
}
