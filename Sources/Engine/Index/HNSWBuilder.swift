import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Qdrant's HNSW parameters for one build (`HnswConfig` of a collection, `HnswM` of the graph).
struct HNSWParameters: Sendable, Equatable {
    var m = 16
    /// Links per point on level 0: `2 m` in Qdrant.
    var m0 = 32
    var efConstruct = 100
    /// Extra entry points kept (Qdrant: `max(1, vectors / full_scan_threshold * 10)`).
    var entryPointsNum = 1
    /// 0 = one per CPU.
    var threads = 0
    /// Seeds the level draws, so a build is reproducible.
    var seed: UInt64 = 0x5144_4248_4E53_5721

    var levelM: (Int) -> Int { { [m, m0] in $0 == 0 ? m0 : m } }
}

/// Builds an HNSW graph over `scorer`'s points as Qdrant's `GraphLayersBuilder` does
/// (`lib/segment/src/index/hnsw_index/graph_layers_builder.rs`, `links_container.rs`,
/// `hnsw/build.rs`): a level per point drawn as `round(-ln(u) / ln(m))`; points linked in id
/// order, the first 256 on one thread and the rest on `threads` threads; per level a search with
/// `ef_construct` and the "not closer to an already chosen neighbour than to the point"
/// heuristic to pick at most `m` (`m0` on level 0) links; back-links added while the neighbour
/// has room and re-selected by the same heuristic when it has not.
///
/// Concurrency: links live in fixed slots, each guarded by one of a set of striped mutexes; a
/// thread holds at most one at a time. Entry points are guarded by their own mutex.
final class HNSWBuilder<S: VectorScorer>: @unchecked Sendable, GraphLinksAccess {
    let scorer: S
    let params: HNSWParameters
    let n: Int
    let levels: [Int]
    private let upperBase: [Int]
    private let l0: UnsafeMutablePointer<UInt32>
    private let upper: UnsafeMutablePointer<UInt32>
    private let stripes: UnsafeMutablePointer<pthread_mutex_t>
    private static var stripeCount: Int { 4096 }
    private var entry: EntryPointSet
    private var entryMutex = pthread_mutex_t()
    /// Asked between ranges of points (set before `build`): true ends the build early, leaving
    /// an incomplete graph for the caller to throw away (a cancelled optimization).
    var stop: (@Sendable () -> Bool)?

    init(scorer: S, params: HNSWParameters) {
        self.scorer = scorer
        self.params = params
        n = scorer.count
        var rng = SplitMix64(seed: params.seed)
        let factor = 1 / log(Double(max(params.m, 2)))
        levels = (0..<n).map { _ in min(Int((-log(rng.nextUnit()) * factor).rounded()), 48) }
        var base: [Int] = []
        base.reserveCapacity(n)
        var total = 0
        for l in levels {
            base.append(l > 0 ? total : -1)
            total += l * (params.m + 1)
        }
        upperBase = base
        l0 = .allocate(capacity: max(1, n * (params.m0 + 1)))
        l0.initialize(repeating: 0, count: max(1, n * (params.m0 + 1)))
        upper = .allocate(capacity: max(1, total))
        upper.initialize(repeating: 0, count: max(1, total))
        stripes = .allocate(capacity: Self.stripeCount)
        for i in 0..<Self.stripeCount { pthread_mutex_init(stripes + i, nil) }
        entry = EntryPointSet(extraCapacity: max(1, params.entryPointsNum))
        pthread_mutex_init(&entryMutex, nil)
    }

    deinit {
        l0.deallocate()
        upper.deallocate()
        for i in 0..<Self.stripeCount { pthread_mutex_destroy(stripes + i) }
        stripes.deallocate()
        pthread_mutex_destroy(&entryMutex)
    }

    /// Slot of `point` at `level`: `[count, links…]`.
    @inline(__always)
    private func slot(_ point: Int, _ level: Int) -> UnsafeMutablePointer<UInt32> {
        level == 0 ? l0 + point * (params.m0 + 1) : upper + upperBase[point] + (level - 1) * (params.m + 1)
    }

    @inline(__always)
    private func locked<R>(_ point: Int, _ body: () -> R) -> R {
        let mu = stripes + (point & (Self.stripeCount - 1))
        pthread_mutex_lock(mu)
        defer { pthread_mutex_unlock(mu) }
        return body()
    }

    func withLinks<R>(_ point: Int, _ level: Int, _ body: (UnsafeBufferPointer<UInt32>) -> R) -> R {
        guard level <= levels[point] else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return locked(point) {
            let s = slot(point, level)
            return body(UnsafeBufferPointer(start: s + 1, count: Int(s[0])))
        }
    }

    private func setLinks(_ point: Int, _ level: Int, _ links: [UInt32]) {
        let s = slot(point, level)
        s[0] = UInt32(links.count)
        for (i, l) in links.enumerated() { s[1 + i] = l }
    }

    /// Links every point and returns the graph.
    func build() -> HNSWGraph {
        let first = min(n, 256)
        let visited = VisitedList(count: n)
        for p in 0..<first { insert(p, visited: visited) }
        let threads = max(1, params.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : params.threads)
        if first < n {
            let next = NextIndex(start: first)
            // Own threads, not the shared pool: they keep the optimizer's low priority.
            WorkerThreads.run(threads) { _ in
                let visited = VisitedList(count: self.n)
                while !(self.stop?() ?? false), let range = next.take(64, limit: self.n) {
                    for p in range { self.insert(p, visited: visited) }
                }
            }
        }
        return graph()
    }

    private func insert(_ p: Int, visited: VisitedList) {
        let level = levels[p]
        pthread_mutex_lock(&entryMutex)
        let ep = entry.entryPoint()
        pthread_mutex_unlock(&entryMutex)
        if let ep {
            let q = scorer.query(ofPoint: p)
            var cur = ScoredOffset(score: scorer.score(q, Int(ep.point)), id: ep.point)
            if ep.level > level {
                cur = HNSWSearch.greedy(self, scorer, q, entry: cur, top: ep.level, bottom: level + 1)
            }
            for l in stride(from: min(level, ep.level), through: 0, by: -1) {
                visited.reset()
                let found = HNSWSearch.searchLevel(self, scorer, q, entry: cur, level: l, ef: params.efConstruct, visited: visited) { $0 != p }
                let sorted = found.sorted()
                if let best = sorted.first { cur = best }
                let chosen = selectWithHeuristic(sorted, m: params.levelM(l))
                locked(p) { setLinks(p, l, chosen) }
                for o in chosen { locked(Int(o)) { connect(p, to: Int(o), level: l) } }
            }
        }
        pthread_mutex_lock(&entryMutex)
        entry.newPoint(UInt32(p), level: level)
        pthread_mutex_unlock(&entryMutex)
    }

    /// Qdrant's `fill_from_sorted_with_heuristic`: walk candidates best first, keep one unless
    /// it is closer to a kept one than to the point, stop at `m`.
    private func selectWithHeuristic(_ sorted: [ScoredOffset], m: Int) -> [UInt32] {
        var kept: [UInt32] = []
        kept.reserveCapacity(m)
        outer: for c in sorted {
            let cq = scorer.query(ofPoint: Int(c.id))
            for k in kept where scorer.score(cq, Int(k)) > c.score { continue outer }
            kept.append(c.id)
            if kept.count >= m { break }
        }
        return kept
    }

    /// Adds the back-link `new → target` at `level` (Qdrant's `connect_with_heuristic`): appended
    /// while there is room, else the links plus the new one are re-selected by the heuristic
    /// by their scores to `target`. Under `target`'s stripe lock.
    private func connect(_ new: Int, to target: Int, level: Int) {
        let m = params.levelM(level)
        let s = slot(target, level)
        let count = Int(s[0])
        if count < m {
            s[1 + count] = UInt32(new)
            s[0] = UInt32(count + 1)
            return
        }
        let tq = scorer.query(ofPoint: target)
        var candidates = (0..<count).map { ScoredOffset(score: scorer.score(tq, Int(s[1 + $0])), id: s[1 + $0]) }
        candidates.append(ScoredOffset(score: scorer.score(tq, new), id: UInt32(new)))
        candidates.sort { $0.score > $1.score }
        setLinks(target, level, selectWithHeuristic(candidates, m: m))
    }

    private func graph() -> HNSWGraph {
        let links: [[[UInt32]]] = (0..<n).map { p in (0...levels[p]).map { l in withLinks(p, l) { Array($0) } } }
        return HNSWGraph(m: params.m, m0: params.m0, efConstruct: params.efConstruct, links: links,
                         entryPoints: entry.entryPoints, extraEntryPoints: entry.extra, extraCapacity: entry.extraCapacity)
    }
}

/// Qdrant's `EntryPoints` (`entry_points.rs`): the entry points (one per disjoint start, here
/// one, as no filter applies while building) and a bounded set of the highest other points.
struct EntryPointSet {
    var entryPoints: [HNSWGraph.EntryPoint] = []
    /// Qdrant's `FixedLengthPriorityQueue`: the `extraCapacity` highest-level points offered.
    var extra: [HNSWGraph.EntryPoint] = []
    let extraCapacity: Int

    init(extraCapacity: Int) { self.extraCapacity = extraCapacity }

    func entryPoint() -> HNSWGraph.EntryPoint? {
        entryPoints.first ?? extra.max { $0.level < $1.level }
    }

    mutating func newPoint(_ p: UInt32, level: Int) {
        let new = HNSWGraph.EntryPoint(point: p, level: level)
        guard let current = entryPoints.first else {
            entryPoints.append(new)
            return
        }
        if current.level >= level {
            pushExtra(new)
        } else {
            entryPoints[0] = new
            pushExtra(current)
        }
    }

    private mutating func pushExtra(_ e: HNSWGraph.EntryPoint) {
        if extra.count < extraCapacity {
            extra.append(e)
        } else if let i = extra.indices.min(by: { extra[$0].level < extra[$1].level }), e.level > extra[i].level {
            extra[i] = e
        }
    }
}

/// Hands out consecutive ranges of `start..<limit` to worker threads.
final class NextIndex: @unchecked Sendable {
    private var next: Int
    private var mutex = pthread_mutex_t()

    init(start: Int) {
        next = start
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func take(_ n: Int, limit: Int) -> Range<Int>? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard next < limit else { return nil }
        let r = next..<min(limit, next + n)
        next = r.upperBound
        return r
    }
}

/// A small seeded PRNG (SplitMix64), so level draws are reproducible.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    mutating func nextUnit() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
}
