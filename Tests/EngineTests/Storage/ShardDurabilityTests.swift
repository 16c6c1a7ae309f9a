import Foundation
import Testing
@testable import Engine

/// Restart scenarios at the storage level: WAL replay without a clean close, seals, orphans.
@Suite struct ShardDurabilityTests {
    func open(_ dir: TempDir, seal: Int = 1000) throws -> Storage {
        try Storage.open(StorageOptions(path: dir.path, sealThreshold: seal), logger: testLogger)
    }


    @Test func unsealedWritesReplayFromWAL() throws {
        let dir = TempDir()
        var expected: [PointState] = []
        do {
            let s = try open(dir)
            try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .dot)), shardNumber: 2)))
            let c = try s.collection("c")
            try c.upsert((0..<50).map { point(UInt64($0), [Float($0), 1], ["n": .int(Int64($0))]) }, wait: true)
            try c.delete(.ids([.number(3), .number(4)]), wait: true)
            try c.setPayload(["tag": .string("x")], key: nil, .ids([.number(5)]), wait: true)
            try c.deletePayload(keys: ["n"], .filter(Filter(must: [.hasID([.number(6)])])), wait: true)
            expected = allPoints(c)
            // No close(): the process "dies" here; only the WAL has these writes.
        }
        let s = try open(dir)
        #expect(allPoints(try s.collection("c")) == expected)
        #expect(try s.collection("c").count(filter: nil) == 48)
    }

    @Test func sealedSegmentsAndDeletionsSurviveRestart() throws {
        let dir = TempDir()
        var expected: [PointState] = []
        do {
            let s = try open(dir, seal: 64)
            try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 3, distance: .euclid)))))
            let c = try s.collection("c")
            for batch in 0..<5 {
                try c.upsert((0..<40).map { i in point(UInt64(batch * 40 + i), [Float(i), Float(batch), 0]) }, wait: true)
            }
            try c.delete(.ids((0..<30).map { .number(UInt64($0)) }), wait: true)  // hits sealed segments
            try c.overwritePayload(["k": .int(1)], .ids([.number(100)]), wait: true)
            let shard = c.shards[0]
            #expect(shard.segments.filter(\.isSealed).count >= 2)
            expected = allPoints(c)
        }
        let s = try open(dir, seal: 64)
        let c = try s.collection("c")
        #expect(allPoints(c) == expected)
        #expect(c.count(filter: nil) == 170)
        try s.close()
        // After a clean close everything is sealed and the WAL is empty.
        let walFiles = FileIO.listDirectory(dir.path + "/collections/c/0/wal")
        #expect(walFiles.count == 1)
        #expect(try FileIO.readAll(dir.path + "/collections/c/0/wal/" + walFiles[0]).isEmpty)
    }

    @Test func unlistedSegmentDirectoryIsRemovedOnOpen() throws {
        let dir = TempDir()
        do {
            let s = try open(dir)
            try s.createCollection("c", config: CollectionConfig(params: .init(vectors: .single(.init(size: 2, distance: .dot)))))
            try s.collection("c").upsert([point(1, [1, 2])], wait: true)
            try s.close()
        }
        let orphan = dir.path + "/collections/c/0/segments/" + UUID().uuidString.lowercased() + ".tmp"
        try FileIO.makeDirectories(orphan)
        let s = try open(dir)
        #expect(!FileIO.exists(orphan))
        #expect(try s.collection("c").count(filter: nil) == 1)
    }

    @Test func secondOpenIsRefusedWhileLocked() throws {
        let dir = TempDir()
        let first = try open(dir)
        #expect(throws: StorageError.self) { _ = try open(dir) }
        do {
            _ = try open(dir)
        } catch let e as StorageError {
            #expect(e.code == .locked)
            #expect(e.message.contains("locked"))
        }
        _ = first
    }
}
