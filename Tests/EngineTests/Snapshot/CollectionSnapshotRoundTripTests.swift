import Foundation
import Testing
@testable import Engine

@Suite struct CollectionSnapshotRoundTripTests {
    let dir = TempDir()

    func storage() throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path + "/storage", sealThreshold: 50), logger: testLogger)
    }


    func populate(_ s: Storage, _ name: String) throws -> Collection {
        try s.createCollection(name, config: CollectionConfig(params: .init(vectors: .single(.init(size: 3, distance: .cosine)), shardNumber: 2)))
        let c = try s.collection(name)
        var points: [PointInput] = []
        for i in 0..<120 {
            let tag: JSONValue = .string(i % 2 == 0 ? "even" : "odd")
            points.append(point(UInt64(i), [Float(i), 1, -1], ["n": .int(Int64(i)), "tag": tag]))
        }
        try c.upsert(points, wait: true)
        try c.delete(.ids([.number(7), .number(8)]), wait: true)
        try c.setPayload(["x": .bool(true)], key: nil, .ids([.number(9)]), wait: true)
        return c
    }

    func snapshotFile(_ s: Storage, _ name: String) throws -> String {
        let path = dir.path + "/\(name)-\(UUID().uuidString).snapshot"
        let sink = try FileDescriptorSink(creatingFile: path)
        _ = try s.writeCollectionSnapshot(name, to: sink)
        try sink.close()
        return path
    }

    @Test func restoresIntoNewNameAndOverSameName() throws {
        let s = try storage()
        let c = try populate(s, "src")
        let expected = allPoints(c)
        let query = SearchRequest(vector: [3, 1, 0], limit: 5, payload: .all)
        let expectedHits = try c.search(query).map { "\($0.id) \($0.score!)" }
        let file = try snapshotFile(s, "src")

        try s.restoreCollection("copy", from: try FileDescriptorSource(path: file), checksum: try SHA256Hasher.hexDigest(ofFile: file))
        let copy = try s.collection("copy")
        #expect(allPoints(copy) == expected)
        #expect(try copy.search(query).map { "\($0.id) \($0.score!)" } == expectedHits)

        // Change the source, then restore the snapshot over it: back to the snapshot's state.
        try c.upsert([point(1000, [1, 2, 3])], wait: true)
        try c.delete(.ids([.number(1)]), wait: true)
        try s.restoreCollection("src", from: try FileDescriptorSource(path: file), checksum: nil)
        #expect(allPoints(try s.collection("src")) == expected)

    }

    @Test func restoredCollectionSurvivesRestart() throws {
        var expected: [PointState] = []
        do {
            let s = try storage()
            expected = allPoints(try populate(s, "src"))
            let file = try snapshotFile(s, "src")
            try s.restoreCollection("copy", from: try FileDescriptorSource(path: file), checksum: nil)
            try s.collection("copy").upsert([point(5000, [1, 1, 1])], wait: true)
        }
        let s = try storage()
        let copy = try s.collection("copy")
        #expect(copy.count(filter: nil) == expected.count + 1)
        #expect(FileIO.listDirectory(s.tmpDir).isEmpty)
    }

    @Test func damagedArchiveOrWrongChecksumChangesNothing() throws {
        let s = try storage()
        let c = try populate(s, "src")
        let expected = allPoints(c)
        let file = try snapshotFile(s, "src")
        // Wrong checksum: refused, collection as it was.
        #expect(throws: SnapshotError.self) {
            try s.restoreCollection("src", from: try FileDescriptorSource(path: file), checksum: String(repeating: "0", count: 64))
        }
        // Flip one byte inside a file's data: qdb.json's per-entry hash catches it.
        var bytes = try FileIO.readAll(file)
        let marker = Array("/files/vector_storage/matrix.dat\u{0}".utf8)
        let at = (0..<(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker }!
        bytes[at - at % 512 + 512 + 100] ^= 0x55  // past the entry's 512-byte header, inside the vector data
        let damaged = file + ".damaged"
        try FileIO.writeAtomically(bytes, to: damaged)
        #expect(throws: SnapshotError.self) {
            try s.restoreCollection("src", from: try FileDescriptorSource(path: damaged), checksum: nil)
        }
        // Truncated: refused.
        try FileIO.writeAtomically(Array(bytes.prefix(bytes.count / 2)), to: damaged)
        #expect(throws: (any Error).self) {
            try s.restoreCollection("src", from: try FileDescriptorSource(path: damaged), checksum: nil)
        }
        #expect(allPoints(try s.collection("src")) == expected)
        #expect(!s.exists("copy"))
    }

    @Test func snapshotDuringConcurrentUpsertsIsConsistent() throws {
        let s = try storage()
        try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .dot)))))
        let c = try s.collection("c")
        try c.upsert((0..<100).map { point(UInt64($0), [1, 1]) }, wait: true)
        let writer = Thread {
            for batch in 1...40 {
                _ = try? c.upsert((0..<25).map { point(UInt64(100 + batch * 25 + $0), [Float(batch), 0]) }, wait: true)
            }
        }
        writer.start()
        let acknowledgedBefore = c.count(filter: nil)
        let file = try snapshotFile(s, "c")
        try s.restoreCollection("copy", from: try FileDescriptorSource(path: file), checksum: nil)
        let copy = try s.collection("copy")
        let n = copy.count(filter: nil)
        #expect(n >= acknowledgedBefore)
        // Batches are applied whole within a shard: the copy holds the initial points plus whole batches.
        #expect((n - 100) % 25 == 0)
        while writer.isExecuting { usleep(10_000) }
    }

    @Test func serviceNamesNeverCollide() throws {
        let s = try storage()
        _ = try populate(s, "src")
        let service = SnapshotService(storage: s, store: LocalSnapshotStore(root: dir.path + "/snapshots"))
        let a = try service.createCollectionSnapshot("src")
        let b = try service.createCollectionSnapshot("src")
        #expect(a.name != b.name)
        #expect(a.name.hasPrefix("src-\(s.peerID)-"))
        #expect(try service.list(.collection("src")).map(\.name) == [a.name, b.name].sorted())
        let path = try service.localPath(.collection("src"), name: a.name)
        #expect(a.checksum == (try SHA256Hasher.hexDigest(ofFile: path)))
        #expect(String(decoding: try FileIO.readAll(path + ".checksum"), as: UTF8.self) == a.checksum)
        for bad in ["../x", "..", "a/b", "", "/etc/passwd"] {
            #expect(throws: SnapshotError.self) { _ = try service.localPath(.collection("src"), name: bad) }
        }
        try service.delete(.collection("src"), name: a.name)
        #expect(!FileIO.exists(path) && !FileIO.exists(path + ".checksum"))
    }
}

@Suite struct ArchiveMetadataTests {
    @Test func newerFormatIsRefusedNamingBothVersions() throws {
        var meta = ArchiveMetadata(kind: .collection, collection: "c", shardID: nil, points: 0, digests: [])
        meta.format_version = ArchiveMetadata.currentFormat + 1
        meta.qdb_version = "9.9.9"
        do {
            try meta.check([])
            Issue.record("a newer format was accepted")
        } catch let e as SnapshotError {
            #expect(e.code == .corrupt)
            #expect(e.message.contains("\(ArchiveMetadata.currentFormat + 1)") && e.message.contains("9.9.9") && e.message.contains(engineVersion))
        }
    }

    @Test func unlistedExtraOrMissingEntriesAreRefused() {
        let good = FileDigest(path: "a", size: 1, sha256: String(repeating: "a", count: 64))
        let meta = ArchiveMetadata(kind: .shard, collection: "c", shardID: 0, points: 1, digests: [good])
        #expect(throws: SnapshotError.self) { try meta.check([]) }
        #expect(throws: SnapshotError.self) { try meta.check([good, FileDigest(path: "b", size: 0, sha256: good.sha256)]) }
        #expect(throws: SnapshotError.self) { try meta.check([FileDigest(path: "a", size: 1, sha256: String(repeating: "b", count: 64))]) }
        #expect(throws: Never.self) { try meta.check([good]) }
    }
}

extension CollectionSnapshotRoundTripTests {
    /// Segment files are archived with the digests recorded when they were sealed, so a file
    /// damaged on disk since is caught when the archive is restored, not sealed into a snapshot
    /// that verifies cleanly.
    @Test func segmentFileDamagedAfterSealIsCaughtOnRestore() throws {
        let s = try storage()
        _ = try populate(s, "dmg")
        try s.collection("dmg").shards[0].seal()
        let segments = dir.path + "/storage/collections/dmg/0/segments"
        let seg = try #require(FileIO.listDirectory(segments).first)
        let victim = segments + "/" + seg + "/vector_storage/matrix.dat"
        var bytes = try FileIO.readAll(victim)
        bytes[bytes.count / 2] ^= 0xFF
        let fd = open(victim, O_WRONLY)
        try FileIO.writeAll(fd: fd, bytes)
        close(fd)
        let file = try snapshotFile(s, "dmg")
        #expect(throws: SnapshotError.self) {
            try s.restoreCollection("dmg_copy", from: try FileDescriptorSource(path: file), checksum: nil)
        }
        #expect(!FileIO.exists(dir.path + "/storage/collections/dmg_copy"))
    }
}
