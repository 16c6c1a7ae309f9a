import Foundation

extension PartialSnapshot {
    /// The segment set of an unpacked partial snapshot: qdb's `shard.json`, or for an archive
    /// made by Qdrant (which has none) every segment directory it holds (reference §3.3: the
    /// snapshot's manifest is the set of its segments). Qdrant's WAL stub is read for its last
    /// operation number (a WAL holding operations is refused, as on every restore).
    static func state(of unpacked: String, foreign: Bool) throws -> Shard.State {
        guard foreign else {
            do {
                return try JSONDecoder().decode(Shard.State.self, from: Data(try SegmentFiles.readSmall(unpacked + "/shard.json", "shard.json")))
            } catch {
                throw SnapshotError(.corrupt, "partial snapshot has no readable shard.json")
            }
        }
        let segments = FileIO.listDirectory(unpacked + "/segments").sorted()
        guard segments.allSatisfy(SnapshotManifest.isSafeName) else {
            throw SnapshotError(.corrupt, "partial snapshot segment names \(segments) are not usable")
        }
        let walLast = FileIO.isDirectory(unpacked + "/wal") ? try QdrantWAL.adopt(dir: unpacked + "/wal") : 0
        return Shard.State(flushed_seq: walLast, segments: segments)
    }
}
