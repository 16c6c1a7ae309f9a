import Foundation
import Testing
@testable import Engine

@Suite struct ArchiveFingerprintTests {
    let dir = TempDir()

    func collection() throws -> Collection {
        let s = try Storage.open(StorageOptions(path: dir.path + "/storage", sealThreshold: 50), logger: testLogger)
        try s.createCollection("f", config: CollectionConfig(params: .init(vectors: .single(.init(size: 3, distance: .euclid)), shardNumber: 2)))
        let c = try s.collection("f")
        try c.upsert((0..<40).map { point(UInt64($0), [Float($0), 1, 0], [:]) }, wait: true)
        return c
    }

    @Test func probesAreTheFirstPointsWithTheirNearest() throws {
        let c = try collection()
        let (_, fp) = ArchiveFingerprint.around(c) { () }
        let f = try #require(fp)
        #expect(f.probes.count == 3 && f.k == 5)
        #expect(f.probes[0].ids.first == .number(0) && f.probes[0].scores.first == 0)
        #expect(f.replay(on: c).isEmpty)
    }

    @Test func aWriteDuringTheCaptureDropsTheFingerprint() throws {
        let c = try collection()
        let (_, fp) = try ArchiveFingerprint.around(c) { try c.upsert([point(0, [9, 9, 9], [:])], wait: true) }
        #expect(fp == nil)
    }

    @Test func changedVectorsDiverge() throws {
        let c = try collection()
        let (_, fp) = ArchiveFingerprint.around(c) { () }
        try c.upsert([point(1, [100, 1, 0], [:])], wait: true)
        let d = try #require(fp).replay(on: c)
        #expect(!d.isEmpty && d[0].expected_ids != d[0].got_ids)
    }
}
