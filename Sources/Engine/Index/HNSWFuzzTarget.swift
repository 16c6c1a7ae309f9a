extension FuzzTargets {
    /// The HNSW index readers: the first byte picks the file (0 links, either format; 1
    /// `graph.bin`; 2 `hnsw_config.json`), the rest is its content. A links file that passes
    /// validation is then searched, so a graph the reader accepts can never make a search trap.
    static let hnswGraph: Target = { raw in
        guard let selector = raw.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: raw[1...])
        switch selector % 3 {
        case 0:
            let l = try HNSWGraphLinks.read(validating: body, file: "links")
            let g = HNSWGraph(m: l.m ?? 16, m0: l.m0 ?? 32, efConstruct: 16, pointCount: l.pointCount, levelOffsets: l.levelOffsets,
                              reindex: l.reindex, offsets: l.offsets, neighbors: l.neighbors,
                              entryPoints: l.pointCount > 0 ? [HNSWGraph.EntryPoint(point: 0, level: 0)] : [], extraEntryPoints: [], extraCapacity: 1)
            let floats = [Float](repeating: 1, count: l.pointCount)
            let q: [Float] = [1]
            floats.withUnsafeBufferPointer { f in
                q.withUnsafeBufferPointer { qp in
                    guard let base = f.baseAddress else { return }
                    let s = DenseScorer(base: base, dim: 1, count: l.pointCount, distance: .dot)
                    _ = g.search(qp.baseAddress!, scorer: s, k: 5, ef: 16, visited: VisitedList(count: l.pointCount)) { $0 % 2 == 0 }
                }
            }
        case 1:
            _ = try GraphLayerData.read(validating: body, pointCount: 1 << 20)
        default:
            _ = try HnswGraphConfig.read(validating: Array(body))
        }
    }
}
