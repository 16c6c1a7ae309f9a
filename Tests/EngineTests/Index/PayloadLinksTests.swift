import Foundation
import Testing
@testable import Engine

/// `payload_m` links: every indexed keyword value large enough gets its own subgraph merged into
/// the graph, so a walk that only steps on the value's points (Qdrant's filtered walk) reaches
/// all of them; the main graph's links stay; the links file carries the longer lists.
@Suite struct PayloadLinksTests {
    static let n = 3000
    static let data = ClusteredData(count: n, dim: 16, clusters: 30, queries: 1, distance: .cosine, seed: 4)

    /// `grp` = g0 … g9 by id mod 10 (300 points each, spread over every cluster); `half` by parity.
    static func segment() -> Segment {
        let seg = Segment(dims: [16])
        for i in 0..<n {
            let payload: Payload = ["grp": .string("g\(i % 10)"), "half": .string(i % 2 == 0 ? "even" : "odd")]
            seg.append(id: .number(UInt64(i)), vectors: [Array(data.points[(i * 16)..<(i * 16 + 16)])], payload: payload, version: 1, sparse: [], multi: [])
        }
        return seg
    }

    let seg: Segment
    let index: SegmentPayloadIndex

    init() {
        seg = Self.segment()
        index = SegmentPayloadIndex(segment: seg, schema: ["grp": .string("keyword"), "half": .string("keyword")])
    }

    func build(_ config: HnswConfig = HnswConfig(), threshold: Int = 16, links: Bool = true) -> HNSWGraph {
        seg.buildGraph(slot: 0, distance: .cosine, config: config, fullScanVectors: threshold, threads: 1, payloadIndex: links ? index : nil).graph
    }

    /// The share of `block` a level-0 walk from `start` reaches stepping only on `block`'s points.
    func reach(_ g: HNSWGraph, _ block: Set<Int>, from start: Int) -> Double {
        var seen: Set<Int> = [start], todo = [start]
        while let p = todo.popLast() {
            for l in g.links(p, 0) where block.contains(Int(l)) && seen.insert(Int(l)).inserted { todo.append(Int(l)) }
        }
        return Double(seen.count) / Double(block.count)
    }

    @Test func eachLargeValueGetsAWalkableSubgraph() throws {
        let plain = build(links: false), linked = build()
        var plainReach: [Double] = []
        for v in 0..<10 {
            let block = Set((0..<Self.n).filter { $0 % 10 == v })
            let start = try #require(linked.entryPoints.first { block.contains(Int($0.point)) }).point
            let r = reach(linked, block, from: Int(start))
            #expect(r >= 0.98, "value g\(v): \(r) of its points reached")
            plainReach.append(reach(plain, block, from: Int(start)))
        }
        #expect(plainReach.reduce(0, +) / 10 < 0.9, "without payload links: \(plainReach)")
        // `half` (1500 points) is past 4 · points / average links: the main graph serves it.
        #expect(linked.entryPoints.count == plain.entryPoints.count + 10)
        for p in 0..<Self.n {
            #expect(Set(plain.links(p, 0)).isSubset(of: Set(linked.links(p, 0))))
        }
        #expect((0..<Self.n).contains { linked.links($0, 0).count > linked.m0 })
    }

    @Test func theLinksFileCarriesTheMergedLists() throws {
        let g = build()
        let bytes = HNSWGraphLinks.writeCompressed(g)
        let l = try bytes.withUnsafeBytes { try HNSWGraphLinks.read(validating: $0, file: "links") }
        for p in 0..<Self.n {
            for level in 0...g.level(of: p) {
                let s = level == 0 ? p : l.levelOffsets[level] + Int(l.reindex[p])
                #expect(Set(l.neighbors[l.offsets[s]..<l.offsets[s + 1]]) == Set(g.links(p, level)))
            }
        }
        let data = GraphLayerData(g)
        #expect(try data.write().withUnsafeBytes { try GraphLayerData.read(validating: $0, pointCount: Self.n) } == data)
    }

    @Test func blocksFollowQdrantsSizeRules() {
        let plain = build(links: false)
        // Values on 300 points: not more than a 400-vector threshold, so no block.
        #expect(PayloadLinks.blocks(index, graph: plain, mainM: 16, threshold: 400) { _ in true }.isEmpty)
        // A 299-vector threshold takes all ten (`half` is still too large).
        #expect(PayloadLinks.blocks(index, graph: plain, mainM: 16, threshold: 299) { _ in true }.count == 10)
        // Blocks need more than threshold / 4 usable points: with only ids < 320 usable, none.
        #expect(PayloadLinks.blocks(index, graph: plain, mainM: 16, threshold: 160) { $0 < 320 }.isEmpty)
        // `payload_m: 0` turns them off; so does an index without keyword or integer fields.
        var off = HnswConfig()
        off.payload_m = 0
        #expect(build(off).entryPoints == plain.entryPoints)
        let other = SegmentPayloadIndex(segment: seg, schema: ["grp": .string("text")])
        #expect(PayloadLinks.blocks(other, graph: plain, mainM: 16, threshold: 16) { _ in true }.isEmpty)
    }
}
