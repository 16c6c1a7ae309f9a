import Foundation

extension ArchiveFingerprint {
    /// A shard snapshot's fingerprint: probes with the vectors of the shard's first points (its
    /// first vector slot), answered by the shard alone. Each probe's `using` names the slot,
    /// so a replay on the restored shard searches the same one. Nil when the shard has no
    /// points or no dense vector.
    static func take(_ shard: Shard) -> ArchiveFingerprint? {
        guard let name = shard.schema.names.first else { return nil }
        var probes: [Probe] = []
        for point in shard.scroll(filter: nil, from: nil, limit: probeCount, vectors: true) {
            guard let v = point.vectors.first ?? nil, v.count == shard.schema.dims[0] else { continue }
            let hits = search(shard, slot: 0, vector: v)
            probes.append(Probe(using: name, vector: v, ids: hits.map(\.point.id), scores: hits.map(\.score)))
        }
        return probes.isEmpty ? nil : ArchiveFingerprint(k: topK, probes: probes)
    }

    /// As `around(_ collection:)`: the fingerprint right after `capture`, kept only when no
    /// write reached the shard in between.
    static func around<T>(_ shard: Shard, _ capture: () throws -> T) rethrows -> (T, ArchiveFingerprint?) {
        let before = shard.lock.read { shard.lastSeq }
        let value = try capture()
        let fingerprint = take(shard)
        return (value, shard.lock.read { shard.lastSeq } == before ? fingerprint : nil)
    }

    /// Replays every probe on a restored shard; the probes whose answers differ (as
    /// `replay(on collection:)` decides), a probe of a slot the shard lacks among them.
    func replay(on shard: Shard) -> [Divergence] {
        var out: [Divergence] = []
        for (i, p) in probes.enumerated() {
            var hits: [(score: Float, point: PointView)] = []
            if let slot = shard.schema.names.firstIndex(of: p.using), p.vector.count == shard.schema.dims[slot] {
                hits = Self.search(shard, slot: slot, vector: p.vector, k: k)
            }
            let ids = hits.map(\.point.id), scores = hits.map(\.score)
            if ids != p.ids || !Self.close(scores, p.scores) {
                out.append(Divergence(probe: i, expected_ids: p.ids, got_ids: ids, expected_scores: p.scores, got_scores: scores))
            }
        }
        return out
    }

    private static func search(_ shard: Shard, slot: Int, vector: [Float], k: Int = topK) -> [(score: Float, point: PointView)] {
        let distance = shard.schema.distances[slot]
        return shard.search(query: distance.preprocess(vector), slot: slot, distance: distance, filter: nil, k: k, vectors: false)
    }

    /// Scores equal within 1e-4 relative, as the collection replay compares them.
    static func close(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }
    }
}
