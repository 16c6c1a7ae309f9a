import Foundation

/// What a collection (or a shard) answered when its snapshot was made, recorded in `qdb.json` so that
/// `verify --deep` can replay it on the restored copy: a few probe queries whose vectors are
/// drawn from the data (the first points by id), each with its top-k ids and scores. A copy
/// whose files are all intact but whose vectors changed (a bad conversion, a consistent
/// tampering with the hashes recomputed) answers differently and is caught.
public struct ArchiveFingerprint: Codable, Sendable, Equatable {
    public struct Probe: Codable, Sendable, Equatable {
        /// The named vector searched ("" for the unnamed one).
        public var using: String
        public var vector: [Float]
        public var ids: [PointID]
        public var scores: [Float]
    }

    public var k: Int
    public var probes: [Probe]

    static let probeCount = 3
    static let topK = 5

    /// Probes `collection` with the vectors of its first points (the first dense vector slot).
    /// Nil when it has no points or no dense vector.
    static func take(_ collection: Collection) -> ArchiveFingerprint? {
        guard let slot = collection.slots.first else { return nil }
        let sample = collection.scroll(filter: nil, offset: nil, limit: probeCount, payload: .none, vectors: .all).records
        var probes: [Probe] = []
        for r in sample {
            guard let v = r.vectors?[slot.name], v.count == slot.params.size,
                  let hits = try? collection.search(SearchRequest(vector: v, using: slot.name, limit: topK)) else { continue }
            probes.append(Probe(using: slot.name, vector: v, ids: hits.map(\.id), scores: hits.map { $0.score ?? .nan }))
        }
        return probes.isEmpty ? nil : ArchiveFingerprint(k: topK, probes: probes)
    }

    /// Takes the fingerprint right after `capture` and keeps it only when no write reached any
    /// shard from before the capture until the probes are done (each shard's last sequence
    /// number is the same at both ends), so it describes exactly the captured data.
    static func around<T>(_ collection: Collection, _ capture: () throws -> T) rethrows -> (T, ArchiveFingerprint?) {
        func sequences() -> [UInt64] { collection.shards.map { s in s.lock.read { s.lastSeq } } }
        let before = sequences()
        let value = try capture()
        let fingerprint = take(collection)
        return (value, sequences() == before ? fingerprint : nil)
    }

    /// One probe whose answer on the restored copy differs from the recorded one.
    public struct Divergence: Codable, Sendable, Equatable {
        public var probe: Int
        public var expected_ids: [PointID]
        public var got_ids: [PointID]
        public var expected_scores: [Float]
        public var got_scores: [Float]
        /// The collection the probe belongs to, for the nested archives of a full snapshot.
        public var collection: String? = nil
    }

    /// Replays every probe on `collection`; returns the probes that diverge (ids differ, or a
    /// score differs by more than 1e-4 relative).
    func replay(on collection: Collection) -> [Divergence] {
        var out: [Divergence] = []
        for (i, p) in probes.enumerated() {
            let hits = (try? collection.search(SearchRequest(vector: p.vector, using: p.using, limit: k))) ?? []
            let ids = hits.map(\.id), scores = hits.map { $0.score ?? .nan }
            if ids != p.ids || !Self.close(scores, p.scores) {
                out.append(Divergence(probe: i, expected_ids: p.ids, got_ids: ids, expected_scores: p.scores, got_scores: scores))
            }
        }
        return out
    }

    /// The check for archives without a fingerprint (Qdrant's, qdb 0.1's): a search with a stored
    /// vector answers min(k, points) hits and, for distances where a vector is nearest to itself,
    /// finds that point first. Returns what is wrong, or nil.
    static func sanity(_ collection: Collection) -> String? {
        guard let slot = collection.slots.first else { return nil }
        let count = collection.count(filter: nil)
        guard let first = collection.scroll(filter: nil, offset: nil, limit: 1, payload: .none, vectors: .all).records.first,
              let v = first.vectors?[slot.name] else { return count == 0 ? nil : "no stored vector could be read back" }
        guard let hits = try? collection.search(SearchRequest(vector: v, using: slot.name, limit: topK)) else {
            return "a search with a stored vector failed"
        }
        if hits.count != min(topK, count) { return "a search answered \(hits.count) hits from \(count) points" }
        if slot.params.distance != .dot, !hits.contains(where: { $0.id == first.id }) {
            return "point \(first.id) is not among the nearest to its own vector"
        }
        return nil
    }
}
