/// The vector-example queries (recommend best_score / sum_scores, discover, context) on a
/// multivector: `ExampleScorer`'s formulas with MaxSim as the raw similarity, as Qdrant's
/// `MultiCustomQueryScorer` scores them (and its client's local mode, `multi_distances.py`).
struct MultiExampleScorer: Sendable {
    enum Kind: Sendable {
        case bestScore(positive: [[[Float]]], negative: [[[Float]]])
        case sumScores(positive: [[[Float]]], negative: [[[Float]]])
        case discover(target: [[Float]], pairs: [([[Float]], [[Float]])])
        case context(pairs: [([[Float]], [[Float]])])
    }

    let kind: Kind
    let distance: Distance
    /// uint8 Cosine: the full cosine of unnormalized vectors (`MultiVector.maxSim`).
    var rawCosine = false

    func raw(_ a: [[Float]], _ b: [[Float]]) -> Float { MultiVector.maxSim(a, b, distance: distance, raw: rawCosine) }

    func score(_ b: [[Float]]) -> Float {
        switch kind {
        case .bestScore(let pos, let neg):
            var bp = -Float.infinity, bn = -Float.infinity
            for v in pos { bp = Swift.max(bp, raw(v, b)) }
            for v in neg { bn = Swift.max(bn, raw(v, b)) }
            return bp > bn ? ExampleScorer.scaledFastSigmoid(bp) : -ExampleScorer.scaledFastSigmoid(bn)
        case .sumScores(let pos, let neg):
            return pos.reduce(0) { $0 + raw($1, b) } - neg.reduce(0) { $0 + raw($1, b) }
        case .discover(let target, let pairs):
            var rank: Float = 0
            for (p, n) in pairs {
                let a = raw(p, b), c = raw(n, b)
                rank += a > c ? 1 : (a == c ? 0 : -1)
            }
            return rank + ExampleScorer.scaledFastSigmoid(raw(target, b))
        case .context(let pairs):
            var s: Float = 0
            for (p, n) in pairs { s += ExampleScorer.fastSigmoid(Swift.min(raw(p, b) - raw(n, b) - Float.ulpOfOne, 0)) }
            return s
        }
    }
}

extension Shard {
    /// The `k` live points (passing `filter`, having multivector `slot`) with the largest
    /// `scorer.score`, best first, as (score, id).
    func scanMulti(slot: Int, filter: Filter?, k: Int, scorer: MultiExampleScorer) -> [(score: Float, id: PointID)] {
        guard k > 0 else { return [] }
        return lock.read {
            var top = TopK(k: k)
            for (s, seg) in segments.enumerated() {
                let payloads = filter == nil ? [] : seg.payloads.all
                let ids = seg.ids
                for off in 0..<seg.count where !seg.deleted[off] {
                    guard let v = seg.multiVector(slot: slot, at: off) else { continue }
                    if let filter, !filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) }) {
                        continue
                    }
                    top.insert(key: scorer.score(v), seg: s, off: off)
                }
            }
            return top.sorted().map { ($0.key, segments[$0.seg].ids[$0.off]) }
        }
    }
}
