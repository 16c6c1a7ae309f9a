/// An HNSW graph over a segment's internal offsets, in the shape Qdrant stores it
/// (`lib/segment/src/index/hnsw_index/graph_links/`): points sorted by descending top level give
/// `reindex[point]`; slot `s` holds the links `neighbors[offsets[s] ..< offsets[s+1]]`, where the
/// slot of a point on level 0 is the point itself and on level `l > 0` is
/// `levelOffsets[l] + reindex[point]`. Links are internal offsets and may name points deleted
/// later; searches skip those through their `accept` predicate.
///
/// Immutable once made: shared by concurrent searches without a lock.
final class HNSWGraph: @unchecked Sendable, GraphLinksAccess {
    /// An entry point of the graph (Qdrant's `EntryPoint`, ordered by level).
    struct EntryPoint: Equatable, Sendable {
        var point: UInt32
        var level: Int
    }

    let m: Int
    let m0: Int
    let efConstruct: Int
    let pointCount: Int
    /// Per level, the number of slots before it (`[0, N, N + count(level ≥ 1), …]`).
    let levelOffsets: [Int]
    let reindex: [UInt32]
    /// One more than the number of slots.
    let offsets: [Int]
    let neighbors: [UInt32]
    let entryPoints: [EntryPoint]
    let extraEntryPoints: [EntryPoint]
    let extraCapacity: Int

    init(m: Int, m0: Int, efConstruct: Int, pointCount: Int, levelOffsets: [Int], reindex: [UInt32],
         offsets: [Int], neighbors: [UInt32], entryPoints: [EntryPoint], extraEntryPoints: [EntryPoint], extraCapacity: Int) {
        self.m = m
        self.m0 = m0
        self.efConstruct = efConstruct
        self.pointCount = pointCount
        self.levelOffsets = levelOffsets
        self.reindex = reindex
        self.offsets = offsets
        self.neighbors = neighbors
        self.entryPoints = entryPoints
        self.extraEntryPoints = extraEntryPoints
        self.extraCapacity = extraCapacity
    }

    /// A graph from per-point links by level (`links[p][l]`), as a builder leaves them.
    convenience init(m: Int, m0: Int, efConstruct: Int, links: [[[UInt32]]], entryPoints: [EntryPoint],
                     extraEntryPoints: [EntryPoint], extraCapacity: Int) {
        let n = links.count
        let levels = (links.map(\.count).max() ?? 1)
        // Stable: equal levels keep ascending point order.
        let height = links.map(\.count)
        let back = (0..<n).sorted { (a: Int, b: Int) -> Bool in height[a] != height[b] ? height[a] > height[b] : a < b }
        var reindex = [UInt32](repeating: 0, count: n)
        for (pos, p) in back.enumerated() { reindex[p] = UInt32(pos) }
        var levelOffsets: [Int] = []
        var offsets: [Int] = [0]
        var neighbors: [UInt32] = []
        for level in 0..<max(levels, 1) {
            levelOffsets.append(offsets.count - 1)
            let onLevel = level == 0 ? Array(0..<n) : Array(back.prefix { height[$0] > level })
            for p in onLevel {
                neighbors.append(contentsOf: links[p][level])
                offsets.append(neighbors.count)
            }
        }
        self.init(m: m, m0: m0, efConstruct: efConstruct, pointCount: n, levelOffsets: levelOffsets, reindex: reindex,
                  offsets: offsets, neighbors: neighbors, entryPoints: entryPoints, extraEntryPoints: extraEntryPoints,
                  extraCapacity: extraCapacity)
    }

    var levelCount: Int { levelOffsets.count }

    /// How many points reach `level`.
    func pointsOnLevel(_ level: Int) -> Int {
        guard level < levelOffsets.count else { return 0 }
        let end = level + 1 < levelOffsets.count ? levelOffsets[level + 1] : offsets.count - 1
        return end - levelOffsets[level]
    }

    /// The top level of `point`.
    func level(of point: Int) -> Int {
        var l = 0
        while l + 1 < levelOffsets.count, Int(reindex[point]) < pointsOnLevel(l + 1) { l += 1 }
        return l
    }

    private func slot(_ point: Int, _ level: Int) -> Int? {
        if level == 0 { return point < pointCount ? point : nil }
        guard level < levelOffsets.count, Int(reindex[point]) < pointsOnLevel(level) else { return nil }
        return levelOffsets[level] + Int(reindex[point])
    }

    func withLinks<R>(_ point: Int, _ level: Int, _ body: (UnsafeBufferPointer<UInt32>) -> R) -> R {
        guard let s = slot(point, level) else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return neighbors.withUnsafeBufferPointer { nb in
            body(UnsafeBufferPointer(rebasing: nb[offsets[s]..<offsets[s + 1]]))
        }
    }

    /// The links of `point` at `level`, as an array (tests, writers).
    func links(_ point: Int, _ level: Int) -> [UInt32] { withLinks(point, level) { Array($0) } }

    /// The entry point a search starts from: the first entry point that passes `accept`, else
    /// the highest extra one that does, else the first entry point (Qdrant's `get_entry_point`,
    /// falling back to walking through points that do not pass).
    func entry(accept: (Int) -> Bool) -> EntryPoint? {
        if let e = entryPoints.first(where: { accept(Int($0.point)) }) { return e }
        if let e = extraEntryPoints.filter({ accept(Int($0.point)) }).max(by: { $0.level < $1.level }) { return e }
        return entryPoints.first ?? extraEntryPoints.first
    }

    /// The `k` best points for `q` that pass `accept`, best first, searching level 0 with
    /// `ef` (at least `k`).
    func search<S: VectorScorer>(
        _ q: S.Query, scorer: S, k: Int, ef: Int, visited: VisitedList, accept: (Int) -> Bool
    ) -> [ScoredOffset] {
        guard k > 0, pointCount > 0, let ep = entry(accept: accept), Int(ep.point) < pointCount else { return [] }
        let start = ScoredOffset(score: scorer.score(q, Int(ep.point)), id: ep.point)
        let level0 = ep.level > 0 ? HNSWSearch.greedy(self, scorer, q, entry: start, top: ep.level, bottom: 1) : start
        let nearest = HNSWSearch.searchLevel(self, scorer, q, entry: level0, level: 0, ef: max(ef, k), visited: visited, accept: accept)
        return Array(nearest.sorted().prefix(k))
    }
}
