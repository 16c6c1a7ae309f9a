import Foundation

/// One vector's HNSW index directory in a segment, `vector_index[-<name>]/`, as Qdrant 1.19
/// writes it (`hnsw/build.rs`): `graph.bin`, `links_compressed.bin`, `hnsw_config.json`.
/// Reading also accepts the plain `links.bin` older versions wrote (probed after the
/// compressed file, as `GraphLayers::load_links_universal` does) and refuses
/// `links_comp_vec.bin` (quantized vectors inline) cleanly.
enum HNSWIndexFiles {
    /// The files qdb writes, relative to the index directory.
    static let written = [GraphLayerData.fileName, HNSWGraphLinks.compressedFile, HnswGraphConfig.fileName]

    /// Loads the graph of the index directory `dir` (named `relative` in errors, relative to
    /// the segment) over `pointCount` points. The links are decoded into the graph's arrays
    /// (never rebuilt); every count, offset and link is checked first.
    static func read(dir: String, relative: String, pointCount: Int) throws -> (HNSWGraph, HnswGraphConfig?) {
        func rel(_ f: String) -> String { relative + "/" + f }
        let layer = try SegmentFiles.readSmall(dir + "/" + GraphLayerData.fileName, rel(GraphLayerData.fileName), limit: 1 << 20)
        let data = try SegmentFormatError.rethrow(under: relative) { try layer.withUnsafeBytes { try GraphLayerData.read(validating: $0, pointCount: pointCount) } }
        var config: HnswGraphConfig?
        if FileIO.exists(dir + "/" + HnswGraphConfig.fileName) {
            let bytes = try SegmentFiles.readSmall(dir + "/" + HnswGraphConfig.fileName, rel(HnswGraphConfig.fileName), limit: 1 << 16)
            config = try SegmentFormatError.rethrow(under: relative) { try HnswGraphConfig.read(validating: bytes) }
        }
        if FileIO.exists(dir + "/" + HNSWGraphLinks.compressedWithVectorsFile) {
            throw SegmentFormatError(.unsupported, rel(HNSWGraphLinks.compressedWithVectorsFile), "is a graph with inline quantized vectors, which qdb does not read")
        }
        let name = FileIO.exists(dir + "/" + HNSWGraphLinks.compressedFile) ? HNSWGraphLinks.compressedFile : HNSWGraphLinks.plainFile
        guard FileIO.exists(dir + "/" + name) else { throw SegmentFormatError(.missing, rel(HNSWGraphLinks.plainFile), "is missing: the segment says HNSW but has no links file") }
        let mapped = try SegmentFiles.map(dir + "/" + name, rel(name))
        let links = try SegmentFormatError.rethrow(under: relative) {
            try mapped.withBytes { try HNSWGraphLinks.read(validating: $0, file: name) }
        }
        guard links.pointCount == pointCount else {
            throw SegmentFormatError(.corrupt, rel(name), "links \(links.pointCount) points, the segment has \(pointCount)")
        }
        if let m = links.m, m != data.m { throw SegmentFormatError(.corrupt, rel(name), "says m \(m), graph.bin says \(data.m)") }
        if let m0 = links.m0, m0 != data.m0 { throw SegmentFormatError(.corrupt, rel(name), "says m0 \(m0), graph.bin says \(data.m0)") }
        let graph = HNSWGraph(m: data.m, m0: data.m0, efConstruct: data.efConstruct, pointCount: links.pointCount,
                              levelOffsets: links.levelOffsets, reindex: links.reindex, offsets: links.offsets, neighbors: links.neighbors,
                              entryPoints: data.entryPoints, extraEntryPoints: data.extraEntryPoints, extraCapacity: data.extraCapacity)
        for e in data.entryPoints + data.extraEntryPoints where e.level >= max(1, graph.levelCount) && graph.pointCount > 0 {
            throw SegmentFormatError(.corrupt, rel(GraphLayerData.fileName), "has an entry point on level \(e.level), the graph has \(graph.levelCount) levels")
        }
        return (graph, config)
    }

    /// Writes `graph`'s three files into `dir` (which exists), each fsynced.
    static func write(_ graph: HNSWGraph, config: HnswGraphConfig, to dir: String) throws {
        try SegmentFiles.write(dir + "/" + GraphLayerData.fileName, GraphLayerData(graph).write())
        try SegmentFiles.write(dir + "/" + HNSWGraphLinks.compressedFile, HNSWGraphLinks.writeCompressed(graph))
        try SegmentFiles.write(dir + "/" + HnswGraphConfig.fileName, config.write())
    }
}
