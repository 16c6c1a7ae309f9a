import Testing
@testable import Engine

/// A create or PATCH request's `optimizers_config`: Qdrant's `OptimizersConfigDiff`, where a
/// given field replaces the value, a missing or null one keeps it (`diff.or(self)`), and
/// `max_optimization_threads` takes a count or "auto".
@Suite struct OptimizersConfigDiffTests {
    func apply(_ json: String, to c: inout CollectionConfig) throws {
        try c.apply(hnswDiff: nil, optimizersDiff: try JSONParser.parse(Array(json.utf8)))
    }

    @Test func nullKeepsAndAutoMeansNoLimit() throws {
        var c = CollectionConfig(params: CollectionParams(vectors: .single(VectorParams(size: 3, distance: .dot))))
        try apply(#"{"max_segment_size": 5000, "indexing_threshold": 0, "memmap_threshold": 7, "max_optimization_threads": 2}"#, to: &c)
        try apply(#"{"max_segment_size": null, "indexing_threshold": null, "memmap_threshold": null, "max_optimization_threads": null}"#, to: &c)
        #expect(c.optimizer_config.max_segment_size == 5000)
        #expect(c.optimizer_config.indexing_threshold == 0)
        #expect(c.optimizer_config.memmap_threshold == 7)
        #expect(c.optimizer_config.max_optimization_threads == 2)
        try apply(#"{"max_optimization_threads": "auto"}"#, to: &c)
        #expect(c.optimizer_config.max_optimization_threads == nil)
        #expect(throws: StorageError.self) { try apply(#"{"max_optimization_threads": "many"}"#, to: &c) }
    }
}
