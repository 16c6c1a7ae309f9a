import Foundation
import Testing
@testable import Engine

/// Qdrant's `storage.optimizers_overwrite`: applied over every collection's optimizer config
/// (created before or after, whatever its own config says) while the storage is open, and never
/// written into the collection's config.
@Suite struct OptimizersOverwriteTests {
    func open(_ dir: TempDir, overwrite: JSONValue?) throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100_000, optimizersOverwrite: overwrite), logger: testLogger)
    }

    /// Collection `name` with indexing disabled by its own config, 500 points in a sealed segment.
    func fill(_ s: Storage, _ name: String) throws -> Collection {
        var c = CollectionConfig(params: .init(vectors: .single(.init(size: 4, distance: .euclid))))
        c.optimizer_config.indexing_threshold = 0
        c.hnsw_config.max_indexing_threads = 1
        try s.createCollection(name, config: c)
        let col = try s.collection(name)
        _ = try col.upsert((0..<500).map { i in point(UInt64(i), [Float(i), Float(i % 7), 1, 0]) }, wait: true)
        try col.close()
        return col
    }

    @Test func theOverwriteWinsOverEachCollectionsOwnConfigWithoutBeingPersisted() throws {
        let dir = TempDir()
        do {
            let s = try open(dir, overwrite: nil)
            let before = try fill(s, "old")
            #expect(try before.shards[0].optimize() == 0, "its own config disables indexing")
        }
        do {
            let s = try open(dir, overwrite: .object(["indexing_threshold": .int(1)]))
            let old = try s.collection("old")  // made before the overwrite was set
            #expect(try old.shards[0].optimize() == 1)
            #expect(old.shards[0].segments[0].graphs[0] != nil)
            let new = try fill(s, "new")  // made under it
            #expect(try new.shards[0].optimize() == 1)
            #expect(old.config.optimizer_config.indexing_threshold == 0, "the collection keeps its own config")
            try old.updateConfig { $0.optimizer_config.deleted_threshold = 0.3 }
            #expect(old.shards[0].indexSettings.optimizer.indexing_threshold == 1, "a PATCH does not lift the overwrite")
        }
        let s = try open(dir, overwrite: .object(["max_optimization_threads": .int(0)]))
        let c = try s.collection("old")
        #expect(c.config.optimizer_config.indexing_threshold == 0)
        _ = try c.upsert([point(1000, [1, 1, 1, 1])], wait: true)
        _ = try c.delete(.ids((0..<400).map { .number(UInt64($0)) }), wait: true)
        try c.close()
        #expect(try c.shards[0].optimize() == 0, "0 optimization threads: no job, whatever is pending")
    }
}
