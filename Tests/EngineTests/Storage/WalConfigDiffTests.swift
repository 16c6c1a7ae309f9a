import Testing
@testable import Engine

/// A create request's `wal_config` over the server's defaults: Qdrant's `WalConfigDiff`, given
/// fields replace, missing or null ones keep the default, and a value out of Qdrant's ranges is
/// a 400 that changes nothing.
@Suite struct WalConfigDiffTests {
    func wal(_ capacity: Int, _ ahead: Int, _ retain: Int) -> WalConfig {
        var w = WalConfig()
        w.wal_capacity_mb = capacity
        w.wal_segments_ahead = ahead
        w.wal_retain_closed = retain
        return w
    }

    func base() -> CollectionConfig {
        var c = CollectionConfig(params: CollectionParams(vectors: .single(VectorParams(size: 3, distance: .dot))))
        c.wal_config = wal(64, 2, 3)
        return c
    }

    @Test func givenFieldsReplaceTheDefaultsOneByOne() throws {
        var c = base()
        try c.apply(walDiff: try JSONParser.parse(Array(#"{"wal_capacity_mb": 8, "wal_retain_closed": null}"#.utf8)))
        #expect(c.wal_config == wal(8, 2, 3))
        try c.apply(walDiff: nil)
        try c.apply(walDiff: .null)
        #expect(c.wal_config.wal_capacity_mb == 8)
    }

    @Test(arguments: [#"{"wal_capacity_mb": 0}"#, #"{"wal_segments_ahead": -1}"#, #"{"wal_retain_closed": 0}"#,
                      #"{"wal_capacity_mb": "8"}"#, #"{"wal_capacity_mb": 1.5}"#, #"[1]"#])
    func outOfRangeOrWrongTypeIsRefusedAndChangesNothing(_ body: String) throws {
        var c = base()
        let before = c
        #expect(throws: StorageError.self) { try c.apply(walDiff: try JSONParser.parse(Array(body.utf8))) }
        #expect(c == before)
    }
}
