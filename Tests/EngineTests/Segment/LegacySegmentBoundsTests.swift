import Foundation
import Testing
@testable import Engine

/// qdb 0.1 segment files (still read: 0.1 storages and archives are converted on the way in)
/// whose declared counts lie are refused before anything is allocated for them. The segment is
/// the 6-point one of the checked-in qdb 0.1 fixture (vectors `img` 3-d and `txt` 2-d).
@Suite struct LegacySegmentBoundsTests {
    static let fixture = LegacyFixtureTests.fixtures + "/storage/collections/legacy"
    static let schema = SegmentSchema(names: ["img", "txt"], dims: [3, 2], distances: [.cosine, .euclid])

    /// A copy of the fixture's 6-point segment, in a fresh directory.
    func legacySegment() throws -> String {
        let segments = NSTemporaryDirectory() + "/qdb-segbounds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: segments, withIntermediateDirectories: true)
        let source = Self.fixture + "/0/segments/8663903c-9cdf-4f6b-87cc-8eb5d9f8b728"
        try FileManager.default.copyItem(atPath: source, toPath: segments + "/8663903c-9cdf-4f6b-87cc-8eb5d9f8b728")
        return segments + "/8663903c-9cdf-4f6b-87cc-8eb5d9f8b728"
    }

    func patchMeta(_ dir: String, _ edit: (inout [String: Any]) -> Void) throws {
        var meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/segment.json"))) as! [String: Any]
        edit(&meta)
        try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: dir + "/segment.json"))
    }

    @Test(arguments: [
        ("points", 1_000_000_000_000 as Int64), ("points", -1), ("points", Int64.max), ("points", 7), ("live_points", 11),
    ])
    func lyingCountsAreRefused(key: String, value: Int64) throws {
        let dir = try legacySegment()
        defer { FileIO.removeTree((dir as NSString).deletingLastPathComponent) }
        try patchMeta(dir) { $0[key] = NSNumber(value: value) }
        do {
            _ = try Segment.load(from: dir, schema: Self.schema)
            Issue.record("loaded a segment claiming \(key) = \(value)")
        } catch let e as StorageError {
            #expect(e.code == .corrupt)
            #expect(!e.message.contains(NSTemporaryDirectory()), "message shows a server path: \(e.message)")
        }
    }

    @Test(arguments: [[1_000_000_000, 2], [0, 2], [-3, 2], [4, 2], [1 << 40, 2], [3, 2, 5]])
    func lyingDimsAreRefused(dims: [Int]) throws {
        let dir = try legacySegment()
        defer { FileIO.removeTree((dir as NSString).deletingLastPathComponent) }
        try patchMeta(dir) { $0["dims"] = dims }
        #expect(throws: StorageError.self) { _ = try Segment.load(from: dir, schema: Self.schema) }
    }

    @Test func anIntactSegmentStillLoads() throws {
        let dir = try legacySegment()
        defer { FileIO.removeTree((dir as NSString).deletingLastPathComponent) }
        let live = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/segment.json"))) as! [String: Any]
        let seg = try Segment.load(from: dir, schema: Self.schema)
        // Converted to Qdrant's layout, which keeps only the live points (dense internal ids).
        #expect(seg.count == live["live_points"] as? Int && seg.count > 0)
    }
}
