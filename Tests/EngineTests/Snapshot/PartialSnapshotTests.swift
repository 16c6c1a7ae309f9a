import Foundation
import Testing
@testable import Engine

/// A primary and a replica storage: the replica starts from the primary's snapshot, the primary
/// changes, and a partial snapshot brings the replica back to the primary's state.
@Suite struct PartialSnapshotTests {
    let dir = TempDir()
    let config = CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .dot)), shardNumber: 1))

    func open(_ name: String) throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path + "/" + name, sealThreshold: 30), logger: testLogger)
    }

    func partial(_ s: Storage, against m: SnapshotManifest) throws -> [UInt8]? {
        let p = try s.preparePartialSnapshot("c", shard: 0, against: m)
        if p.isEmpty { return nil }
        var bytes: [UInt8] = []
        try p.write(to: CallbackSink(write: { bytes.append(contentsOf: $0) }))
        return bytes
    }

    func setUp() throws -> (Storage, Storage) {
        let primary = try open("p")
        let replica = try open("r")
        try primary.createCollection("c", config: config)
        let c = try primary.collection("c")
        for b in 0..<4 { try c.upsert((0..<25).map { point(UInt64(b * 25 + $0), [Float($0), Float(b)], ["b": .int(Int64(b))]) }, wait: true) }
        var archive: [UInt8] = []
        _ = try primary.writeCollectionSnapshot("c", to: CallbackSink(write: { archive.append(contentsOf: $0) }))
        try replica.restoreCollection("c", from: BufferSource(archive), checksum: nil)
        return (primary, replica)
    }

    @Test func bringsReplicaToPrimaryStateAndThenHasNothingToSend() throws {
        let (primary, replica) = try setUp()
        let c = try primary.collection("c")
        #expect(try partial(primary, against: try replica.shardManifest("c", shard: 0)) == nil)
        try c.upsert((100..<110).map { point(UInt64($0), [1, 1]) }, wait: true)
        try c.delete(.ids([.number(3), .number(60)]), wait: true)
        try c.setPayload(["x": .bool(true)], key: nil, .ids([.number(40)]), wait: true)
        let bytes = try #require(try partial(primary, against: try replica.shardManifest("c", shard: 0)))
        try replica.recoverPartialShard("c", shard: 0, from: BufferSource(bytes), checksum: SHA256Hasher.hexDigest(of: bytes))
        #expect(allPoints(try replica.collection("c")) == allPoints(c))
        #expect(try replica.shardManifest("c", shard: 0) == (try primary.shardManifest("c", shard: 0)))
        #expect(try partial(primary, against: try replica.shardManifest("c", shard: 0)) == nil)
        // Nothing is left in the replica's temp dir.
        #expect(FileIO.listDirectory(replica.tmpDir).isEmpty)
    }

    @Test func archiveForAnotherBaseOrShardChangesNothing() throws {
        let (primary, replica) = try setUp()
        let c = try primary.collection("c")
        let base = try replica.shardManifest("c", shard: 0)
        try c.setPayload(["x": .bool(true)], key: nil, .ids([.number(1)]), wait: true)
        let bytes = try #require(try partial(primary, against: base))
        // The replica changes a segment the primary did not: the archive lacks that file.
        let rc = try replica.collection("c")
        try rc.delete(.ids([.number(99)]), wait: true)
        try replica.collection("c").shards[0].seal()
        let before = allPoints(rc)
        #expect(throws: SnapshotError.self) {
            try replica.recoverPartialShard("c", shard: 0, from: BufferSource(bytes), checksum: nil)
        }
        #expect(allPoints(try replica.collection("c")) == before)
        // Wrong checksum, and a manifest of another collection.
        #expect(throws: SnapshotError.self) {
            try replica.recoverPartialShard("c", shard: 0, from: BufferSource(bytes), checksum: String(repeating: "0", count: 64))
        }
        try primary.createCollection("d", config: config)
        var other = try primary.shardManifest("c", shard: 0)
        for k in other.segments.keys { other.segments[k]?.collection = "d" }
        #expect(throws: SnapshotError.self) { _ = try primary.preparePartialSnapshot("c", shard: 0, against: other) }
        #expect(allPoints(try replica.collection("c")) == before)
    }
}
