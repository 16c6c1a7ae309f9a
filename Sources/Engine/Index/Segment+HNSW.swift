import Foundation

/// One dense vector's HNSW index in a sealed segment.
struct SegmentGraph: @unchecked Sendable {
    var graph: HNSWGraph
    /// The collection's `hnsw_config` it was built with (`segment.json`'s index options).
    var config: HnswConfig
    /// `hnsw_config.json` (`full_scan_threshold` in vectors).
    var graphConfig: HnswGraphConfig
}

extension Segment {
    /// The visited lists all graph searches share.
    static let visitedPool = VisitedPool()

    /// Loads the graph of every vector `segment.json` says is HNSW-indexed from
    /// `vector_index[-<name>]/` (mandatory then, as in Qdrant: no rebuild at load). A graph that
    /// does not cover this segment's points (Qdrant's files after qdb compacted the segment)
    /// is never there: `writeSealed` drops such graphs from `segment.json`.
    func loadGraphs(dir: String) throws {
        guard let state, let schema else { return }
        for (slot, name) in schema.names.enumerated() {
            guard case .hnsw(let options) = state.config.vector_data[name]?.index, graphs[slot] == nil else { continue }
            let sub = SegmentSchema.indexDir(name)
            do {
                let (g, file) = try HNSWIndexFiles.read(dir: dir + "/" + sub, relative: sub, pointCount: count)
                let config = (try? JSONDecoder().decode(HnswConfig.self, from: Data(try [UInt8].json(options)))) ?? HnswConfig()
                graphs[slot] = SegmentGraph(
                    graph: g, config: config,
                    graphConfig: file ?? HnswGraphConfig(m: g.m, efConstruct: g.efConstruct, fullScanThreshold: config.full_scan_threshold * 1024 / max(1, 4 * dims[slot]),
                                                         maxIndexingThreads: config.max_indexing_threads, payloadM: config.payload_m, indexedVectorCount: count))
            } catch let e as SegmentFormatError {
                throw StorageError(e.code == .unsupported ? .badInput : .corrupt, "segment \(id) is damaged: \(e)")
            }
        }
    }

    /// Writes this segment's graphs into the segment directory being built (`writeSealed`).
    func writeGraphs(into dir: String) throws {
        guard let schema else { return }
        for (slot, g) in graphs.sorted(by: { $0.key < $1.key }) {
            let sub = dir + "/" + SegmentSchema.indexDir(schema.names[slot])
            try FileIO.makeDirectories(sub)
            try HNSWIndexFiles.write(g.graph, config: g.graphConfig, to: sub)
        }
    }

    /// Marks the indexed vectors as HNSW in `state` with the options they were built with.
    func applyGraphState(_ state: inout SegmentState) {
        guard let schema else { return }
        for (slot, g) in graphs {
            let name = schema.names[slot]
            guard var v = state.config.vector_data[name] else { continue }
            var options: [String: JSONValue] = [
                "m": .int(Int64(g.config.m)), "ef_construct": .int(Int64(g.config.ef_construct)),
                "full_scan_threshold": .int(Int64(g.config.full_scan_threshold)),
                "max_indexing_threads": .int(Int64(g.config.max_indexing_threads)), "on_disk": .bool(g.config.on_disk),
            ]
            if let pm = g.config.payload_m { options["payload_m"] = .int(Int64(pm)) }
            v.index = .hnsw(.object(options))
            state.config.vector_data[name] = v
        }
    }

    /// Builds the graph of slot `slot` over every stored vector (deleted ones included: links
    /// are by offset, and searches skip deleted points), as the optimizer does off the lock.
    /// The segment must be sealed (its vectors no longer change). `threads` (the optimizer's CPU
    /// grant) overrides `config.max_indexing_threads` for the build; the files record the config's.
    /// `datatype` is the slot's stored element type when the segment has no schema yet (the
    /// optimizer's fresh segments): uint8 Cosine is scored unnormalized, as everywhere else.
    /// With `payloadIndex` (this segment's) and `payload_m` (or `m`) above 0, the graph gets
    /// the payload links of its keyword and integer values (`PayloadLinks`).
    /// `stop` (the optimizer's cancellation) ends the build early; the graph is then incomplete
    /// and the caller throws it away.
    func buildGraph(
        slot: Int, distance: Distance, config: HnswConfig, fullScanVectors: Int, threads: Int? = nil, datatype: VectorDatatype? = nil,
        payloadIndex: SegmentPayloadIndex? = nil, stop: (@Sendable () -> Bool)? = nil
    ) -> SegmentGraph {
        let stored = datatype ?? schema?.datatype(slot)
        let n = count
        let params = HNSWParameters(
            m: config.m, m0: 2 * config.m, efConstruct: config.ef_construct,
            entryPointsNum: max(1, fullScanVectors > 0 ? n / fullScanVectors * 10 : 1), threads: threads ?? config.max_indexing_threads)
        let graph = withVectors(slot: slot) { base in
            let scorer = DenseScorer(base: base, dim: dims[slot], count: n, distance: distance, rawCosine: distance == .cosine && stored == .uint8)
            let builder = HNSWBuilder(scorer: scorer, params: params)
            builder.stop = stop
            let main = builder.build()
            let payloadM = config.payload_m ?? config.m
            guard let payloadIndex, payloadM > 0, !(stop?() ?? false) else { return main }
            let blocks = withScanColumns(slot: slot) { deleted, present, _ in
                PayloadLinks.blocks(payloadIndex, graph: main, mainM: config.m, threshold: fullScanVectors) { !deleted[$0] && present[$0] }
            }
            let sub = HNSWParameters(m: payloadM, m0: 2 * payloadM, efConstruct: config.ef_construct, entryPointsNum: 1, threads: params.threads)
            return main.mergingPayloadLinks(blocks: blocks, scorer: scorer, params: sub)
        }
        let gc = HnswGraphConfig(m: config.m, efConstruct: config.ef_construct, fullScanThreshold: fullScanVectors,
                                 maxIndexingThreads: config.max_indexing_threads, payloadM: config.payload_m, indexedVectorCount: n)
        return SegmentGraph(graph: graph, config: config, graphConfig: gc)
    }
}
