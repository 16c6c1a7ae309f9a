import Foundation

/// Qdrant's additional payload links (`lib/segment/src/index/hnsw_index/hnsw/build.rs`, the
/// `additional_links` step; `graph_layers_builder.rs` `merge_from_other`): after the main
/// graph, every large enough value of an indexed keyword or integer field gets an HNSW graph of
/// its own over just its points (built with `payload_m`, default `m`), whose links are added
/// to the main graph's. A search that only walks points passing `key = value` (Qdrant's walk)
/// then stays connected, so selective filters keep their recall.
///
/// Which values (Qdrant's rules, with `threshold` the graph's `full_scan_threshold` in vectors):
/// a keyword value on more than `threshold` points, an integer value on at least `threshold`
/// (`for_each_payload_block`); not one on more than `4 · points / (average level-0 links)`
/// (the main graph stays connected for those); and only if more than `threshold / 4` of its
/// points have the vector and are live. Fields with `enable_hnsw: false` are left out. Qdrant
/// also skips a block of the second and later fields when sampling shows the main graph already
/// connects it well enough; qdb builds every block (more links, never fewer).
enum PayloadLinks {
    /// The blocks (ascending offsets) of `index`'s fields for a graph over `graph.pointCount`
    /// points, fields in name order. `usable` says whether an offset is live and has the vector.
    static func blocks(_ index: SegmentPayloadIndex, graph: HNSWGraph, mainM: Int, threshold: Int, usable: (Int) -> Bool) -> [[Int]] {
        let n = graph.pointCount
        guard n > 0 else { return [] }
        var links = 0
        for p in 0..<n { links += graph.withLinks(p, 0) { $0.count } }
        let average = Swift.max(1, Int(Float(links) / Float(n)))
        let maxBlock = mainM > 0 ? n / average * 4 : Int.max
        var out: [[Int]] = []
        for (_, field) in index.fields.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            for block in field.payloadBlocks(threshold: threshold) where block.offsets.count <= maxBlock {
                let points = block.offsets.map { Int($0) }.filter(usable)
                if points.count > threshold / 4 { out.append(points) }
            }
        }
        return out
    }
}

extension HNSWGraph {
    /// This graph with a subgraph per block merged in: each block's graph is built by
    /// `HNSWBuilder` with `params` over the block's points only, and its links are appended to
    /// the same point's links on the same level, skipping ones already there (a point may reach a
    /// higher level than before). Each block's entry point joins the entry points, so a filtered
    /// search can start inside the block (Qdrant's `EntryPoints::merge_from_other`).
    func mergingPayloadLinks<S: VectorScorer>(blocks: [[Int]], scorer: S, params: HNSWParameters) -> HNSWGraph {
        guard !blocks.isEmpty else { return self }
        var merged: [[[UInt32]]] = (0..<pointCount).map { p in (0...level(of: p)).map { links(p, $0) } }
        var entries = entryPoints
        for (i, block) in blocks.enumerated() {
            var p = params
            p.seed = params.seed &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            let sub = HNSWBuilder(scorer: SubsetScorer(base: scorer, ids: block), params: p).build()
            for (local, point) in block.enumerated() {
                for level in 0...sub.level(of: local) {
                    let mapped = sub.links(local, level).map { UInt32(block[Int($0)]) }
                    guard level < merged[point].count else {
                        merged[point].append(mapped)
                        continue
                    }
                    var have = Set(merged[point][level])
                    for l in mapped where have.insert(l).inserted { merged[point][level].append(l) }
                }
            }
            entries += sub.entryPoints.map { EntryPoint(point: UInt32(block[Int($0.point)]), level: $0.level) }
        }
        return HNSWGraph(m: m, m0: m0, efConstruct: efConstruct, links: merged, entryPoints: entries,
                         extraEntryPoints: extraEntryPoints, extraCapacity: extraCapacity)
    }
}

/// `base`'s points `ids` as points `0..<ids.count` (a block's own graph is built over them).
struct SubsetScorer<Base: VectorScorer>: VectorScorer {
    let base: Base
    let ids: [Int]

    var count: Int { ids.count }
    func query(ofPoint p: Int) -> Base.Query { base.query(ofPoint: ids[p]) }
    func score(_ q: Base.Query, _ p: Int) -> Float { base.score(q, ids[p]) }
    func prefetch(_ p: Int) { base.prefetch(ids[p]) }
}
