import Foundation
import Testing
@testable import Engine

/// Segment files whose declared counts lie are refused before anything is allocated for them.
@Suite struct SegmentBoundsTests {
    func sealedSegment() throws -> String {
        let segments = NSTemporaryDirectory() + "/qdb-segbounds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: segments, withIntermediateDirectories: true)
        let seg = Segment(dims: [3])
        for i in 0..<4 { _ = seg.append(id: .number(UInt64(i)), vectors: [[1, 2, Float(i)]], payload: ["i": .int(Int64(i))], version: UInt64(i + 1)) }
        try seg.writeSealed(to: segments, version: 5)
        return segments + "/" + seg.id
    }

    func patchMeta(_ dir: String, _ edit: (inout [String: Any]) -> Void) throws {
        var meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/segment.json"))) as! [String: Any]
        edit(&meta)
        try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: dir + "/segment.json"))
    }

    @Test(arguments: [
        ("points", 1_000_000_000_000 as Int64), ("points", -1), ("points", Int64.max), ("points", 5), ("live_points", 9),
    ])
    func lyingCountsAreRefused(key: String, value: Int64) throws {
        let dir = try sealedSegment()
        defer { FileIO.removeTree((dir as NSString).deletingLastPathComponent) }
        try patchMeta(dir) { $0[key] = NSNumber(value: value) }
        do {
            _ = try Segment.load(from: dir)
            Issue.record("loaded a segment claiming \(key) = \(value)")
        } catch let e as StorageError {
            #expect(e.code == .corrupt)
            #expect(!e.message.contains(NSTemporaryDirectory()), "message shows a server path: \(e.message)")
        }
    }

    @Test(arguments: [[1_000_000_000], [0], [-3], [4], [1 << 40]])
    func lyingDimsAreRefused(dims: [Int]) throws {
        let dir = try sealedSegment()
        defer { FileIO.removeTree((dir as NSString).deletingLastPathComponent) }
        try patchMeta(dir) { $0["dims"] = dims }
        #expect(throws: StorageError.self) { _ = try Segment.load(from: dir) }
    }

    @Test func anIntactSegmentStillLoads() throws {
        let dir = try sealedSegment()
        defer { FileIO.removeTree((dir as NSString).deletingLastPathComponent) }
        let seg = try Segment.load(from: dir)
        #expect(seg.count == 4)
    }
}
