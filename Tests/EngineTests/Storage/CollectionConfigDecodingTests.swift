import Foundation
import Testing
@testable import Engine

/// A `config.json` written by Qdrant leaves out `None` and defaulted fields; restoring it must
/// take Qdrant's defaults for them rather than fail.
@Suite struct CollectionConfigDecodingTests {
    @Test func missingKeysTakeQdrantDefaults() throws {
        let json = """
            {"params": {"vectors": {"size": 4, "distance": "Cosine"}},
             "hnsw_config": {"m": 8, "ef_construct": 64, "full_scan_threshold": 500},
             "optimizer_config": {"deleted_threshold": 0.3, "indexing_threshold": null},
             "wal_config": {"wal_capacity_mb": 16},
             "strict_mode_config": {"enabled": false}, "uuid": "x"}
            """
        let c = try JSONDecoder().decode(CollectionConfig.self, from: Data(json.utf8))
        #expect(c.params.shard_number == 1 && c.params.on_disk_payload)
        #expect(c.hnsw_config.m == 8 && c.hnsw_config.on_disk == false && c.hnsw_config.max_indexing_threads == 0)
        #expect(c.optimizer_config.deleted_threshold == 0.3 && c.optimizer_config.indexing_threshold == nil)
        #expect(c.optimizer_config.vacuum_min_vector_number == 1000 && c.optimizer_config.flush_interval_sec == 5)
        #expect(c.wal_config.wal_capacity_mb == 16 && c.wal_config.wal_retain_closed == 1)
    }

    @Test func omittedSectionsAndIndexingThresholdDefault() throws {
        let c = try JSONDecoder().decode(CollectionConfig.self, from: Data(#"{"params": {"vectors": {"size": 3, "distance": "Dot"}}}"#.utf8))
        #expect(c.optimizer_config.indexing_threshold == 10000)
        #expect(c == CollectionConfig(params: CollectionParams(vectors: c.params.vectors)))
    }

    @Test func paramsStayRequired() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CollectionConfig.self, from: Data("{}".utf8)) }
    }
}
