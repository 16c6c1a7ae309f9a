import Foundation
import Testing
@testable import Engine

/// Storage and a collection snapshot written by qdb 0.1 (its own segment files: `ids.bin`,
/// `vectors-<slot>.f32`, …), checked in under `Tests/Fixtures/qdb-0.1/` before the segment format
/// became Qdrant's. They must keep opening and restoring with the same points.
///
/// Made by the 0.1 server: collection `legacy` with named vectors `img` (3, Cosine) and `txt`
/// (2, Euclid, on even ids and the UUID point only), points 1–6 and one UUID; point 3 deleted
/// before the first seal, point 2's payload edited; after a restart point 1 overwritten and
/// point 4 deleted (a deletion in a sealed segment), then the snapshot taken.
@Suite struct LegacyFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/qdb-0.1").path
    let dir = TempDir()

    static let uuid = PointID(string: "5f0cc2a4-6a4e-4a1d-9b8e-3a9f3c1d2e10")!

    func check(_ c: Collection) throws {
        #expect(c.count(filter: nil) == 5)
        let ids: [PointID] = [.number(1), .number(2), .number(3), .number(4), .number(5), .number(6), Self.uuid]
        let got = Dictionary(uniqueKeysWithValues: c.retrieve(ids, payload: .all, vectors: .all).map { ($0.id, $0) })
        #expect(Set(got.keys) == [.number(1), .number(2), .number(5), .number(6), Self.uuid])
        #expect(got[.number(1)]?.payload == ["n": .int(100), "overwritten": .bool(true)])
        #expect(got[.number(1)]?.vectors?["img"] == [0, 0, 1])
        #expect(got[.number(1)]?.vectors?["txt"] == nil)
        #expect(got[.number(2)]?.payload?["edited"] == .bool(true))
        #expect(got[.number(2)]?.payload?["city"] == .string("Berlin"))
        #expect(got[.number(2)]?.vectors?["txt"] == [1, -1])
        #expect(got[.number(5)]?.vectors?["txt"] == nil)
        #expect(got[.number(5)]?.payload?["tags"] == .array([.string("a"), .string("5")]))
        #expect(got[.number(6)]?.payload?["f"] == .double(1.5))
        #expect(got[Self.uuid]?.vectors?["txt"] == [1, 2])
        let img = try #require(got[.number(6)]?.vectors?["img"])
        #expect(abs(img[0] - 6 / (37.25 as Float).squareRoot()) < 1e-6)
        let top = try c.search(SearchRequest(vector: [0, 0, 1], using: "img", limit: 1))
        #expect(top.first?.id == .number(1))
    }

    @Test func storageOpens() throws {
        let storage = dir.path + "/storage"
        try FileManager.default.copyItem(atPath: Self.fixtures + "/storage", toPath: storage)
        let s = try Storage.open(StorageOptions(path: storage, sealThreshold: 100), logger: testLogger)
        try check(try s.collection("legacy"))
    }

    @Test func snapshotRestores() throws {
        let s = try Storage.open(StorageOptions(path: dir.path + "/s", sealThreshold: 100), logger: testLogger)
        let file = Self.fixtures + "/legacy.snapshot"
        let checksum = String(decoding: try FileIO.readAll(file + ".checksum"), as: UTF8.self)
        try s.restoreCollection("restored", from: try FileDescriptorSource(path: file), checksum: checksum)
        try check(try s.collection("restored"))
    }
}
