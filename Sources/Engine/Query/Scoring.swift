/// Scores of the vector-example queries (recommend best_score / sum_scores, discover, context),
/// over Qdrant's "raw" similarities: dot product (Cosine on normalized vectors), and for the
/// distances their negation (−squared Euclid, −Manhattan), so bigger is always better.
struct ExampleScorer: Sendable {
    enum Kind: Sendable {
        case bestScore(positive: [[Float]], negative: [[Float]])
        case sumScores(positive: [[Float]], negative: [[Float]])
        case discover(target: [Float], pairs: [([Float], [Float])])
        case context(pairs: [([Float], [Float])])
        /// Relevance feedback (naive): a·sim(target) + Σ weight · (sim(better) − sim(worse)).
        case naiveFeedback(target: [Float], a: Float, pairs: [(better: [Float], worse: [Float], weight: Float)])
    }

    let kind: Kind
    let distance: Distance
    /// uint8 Cosine: the cosine of unnormalized vectors (`VectorDatatype.swift`).
    let rawCosine: Bool

    /// Example vectors are preprocessed as stored vectors are (Cosine: normalized; with
    /// `params`, also converted to its datatype).
    init(_ kind: Kind, distance: Distance, params: VectorParams? = nil) {
        let p = { (v: [Float]) in params?.prepare(v) ?? distance.preprocess(v) }
        rawCosine = params?.rawCosine ?? false
        switch kind {
        case .bestScore(let pos, let neg): self.kind = .bestScore(positive: pos.map(p), negative: neg.map(p))
        case .sumScores(let pos, let neg): self.kind = .sumScores(positive: pos.map(p), negative: neg.map(p))
        case .discover(let t, let pairs): self.kind = .discover(target: p(t), pairs: pairs.map { (p($0.0), p($0.1)) })
        case .context(let pairs): self.kind = .context(pairs: pairs.map { (p($0.0), p($0.1)) })
        case .naiveFeedback(let t, let a, let pairs):
            self.kind = .naiveFeedback(target: p(t), a: a, pairs: pairs.map { (p($0.better), p($0.worse), $0.weight) })
        }
        self.distance = distance
    }

    /// Qdrant's raw similarity of example `a` to stored vector `b`.
    @inline(__always)
    func raw(_ a: [Float], _ b: UnsafePointer<Float>, _ dim: Int) -> Float {
        a.withUnsafeBufferPointer { q in
            switch distance {
            case .cosine where rawCosine: return SIMDKernels.cosine(q.baseAddress!, b, dim)
            case .cosine, .dot: return SIMDKernels.dot(q.baseAddress!, b, dim)
            case .euclid: return -SIMDKernels.squaredL2(q.baseAddress!, b, dim)
            case .manhattan: return -SIMDKernels.l1(q.baseAddress!, b, dim)
            }
        }
    }

    static func fastSigmoid(_ x: Float) -> Float { x.isFinite ? x / (1 + Swift.abs(x)) : x }
    static func scaledFastSigmoid(_ x: Float) -> Float { 0.5 * (fastSigmoid(x) + 1) }

    func score(_ b: UnsafePointer<Float>, _ dim: Int) -> Float {
        switch kind {
        case .bestScore(let pos, let neg):
            var bp = -Float.infinity, bn = -Float.infinity
            for v in pos { bp = Swift.max(bp, raw(v, b, dim)) }
            for v in neg { bn = Swift.max(bn, raw(v, b, dim)) }
            return bp > bn ? Self.scaledFastSigmoid(bp) : -Self.scaledFastSigmoid(bn)
        case .sumScores(let pos, let neg):
            var s: Float = 0
            for v in pos { s += raw(v, b, dim) }
            var n: Float = 0
            for v in neg { n += raw(v, b, dim) }
            return s - n
        case .discover(let target, let pairs):
            var rank: Float = 0
            for (p, n) in pairs {
                let a = raw(p, b, dim), c = raw(n, b, dim)
                rank += a > c ? 1 : (a == c ? 0 : -1)
            }
            return rank + Self.scaledFastSigmoid(raw(target, b, dim))
        case .context(let pairs):
            var s: Float = 0
            for (p, n) in pairs {
                let d = raw(p, b, dim) - raw(n, b, dim) - Float.ulpOfOne
                s += Self.fastSigmoid(Swift.min(d, 0))
            }
            return s
        case .naiveFeedback(let target, let a, let pairs):
            var s = a * raw(target, b, dim)
            for (better, worse, w) in pairs { s += w * (raw(better, b, dim) - raw(worse, b, dim)) }
            return s
        }
    }
}

extension Shard {
    /// The `k` live points (passing `filter`, having vector `slot`) with the largest
    /// `scorer.score`, best first, as (score, id).
    func scan(slot: Int, filter: Filter?, k: Int, scorer: ExampleScorer) -> [(score: Float, id: PointID)] {
        guard k > 0 else { return [] }
        return lock.read {
            var top = TopK(k: k)
            let dim = dims[slot]
            for (s, seg) in segments.enumerated() {
                let payloads = filter == nil ? [] : seg.payloads.all
                let ids = seg.ids
                seg.withScanColumns(slot: slot) { deleted, present, base in
                    for off in 0..<deleted.count where !deleted[off] && present[off] {
                        if let filter, !filter.matches(id: ids[off], payload: payloads[off], hasVector: { seg.hasVector(slot: $0, at: off) }) {
                            continue
                        }
                        top.insert(key: scorer.score(base + off * dim, dim), seg: s, off: off)
                    }
                }
            }
            return top.sorted().map { ($0.key, segments[$0.seg].ids[$0.off]) }
        }
    }

    /// Every live point passing `filter`, as (id, payload), unordered.
    func matching(_ filter: Filter?) -> [(id: PointID, payload: Payload)] {
        lock.read {
            let passes = filter.map(matcher)
            var out: [(PointID, Payload)] = []
            for (id, loc) in index {
                if let passes, !passes(id, loc) { continue }
                out.append((id, segments[Int(loc.seg)].payloads[Int(loc.off)]))
            }
            return out
        }
    }
}
