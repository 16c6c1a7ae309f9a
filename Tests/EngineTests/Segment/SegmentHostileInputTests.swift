import Foundation
import Testing
@testable import Engine

/// Random damage to every file of a sealed segment (and to each reader's bytes): the readers
/// throw or return, they never trap, and never allocate from an unchecked count. A poor man's
/// fuzz run with a fixed seed; the `read(validating:)` functions are the fuzz targets' entries.
@Suite struct SegmentHostileInputTests {
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state ^ (state >> 29)
        }
    }

    static let schema = SegmentSchema(names: ["", "v"], dims: [3, 2], distances: [.cosine, .manhattan])

    func damaged(_ bytes: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var b = bytes
        switch rng.next() % 4 {
        case 0 where !b.isEmpty:  // flip a few bytes
            for _ in 0..<(1 + Int(rng.next() % 4)) { b[Int(rng.next() % UInt64(b.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
        case 1:  // truncate
            b = Array(b.prefix(Int(rng.next() % UInt64(b.count + 1))))
        case 2 where b.count >= 8:  // a huge little-endian count somewhere
            let at = Int(rng.next() % UInt64(b.count - 7))
            withUnsafeBytes(of: (UInt64.max >> (rng.next() % 40)).littleEndian) { b.replaceSubrange(at..<(at + 8), with: $0) }
        default:  // append garbage
            b += (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        return b
    }

    @Test func damagedSegmentFilesNeverTrap() throws {
        let dir = TempDir()
        let segs = dir.path + "/segments"
        try FileIO.makeDirectories(segs)
        let seg = Segment(dims: [3, 2])
        for i in 0..<50 {
            seg.append(id: i % 3 == 0 ? .uuid(UUID()) : .number(UInt64(i)), vectors: [[1, Float(i), 0], i % 4 == 0 ? nil : [0, 1]],
                       payload: i % 5 == 0 ? [:] : ["i": .int(Int64(i)), "s": .string(String(repeating: "p", count: i))], version: UInt64(i + 1), sparse: [], multi: [])
        }
        try seg.writeSealed(to: segs, version: 50, schema: Self.schema)
        let path = segs + "/" + seg.id
        let files = Segment.files(under: path)
        let originals = try Dictionary(uniqueKeysWithValues: files.map { ($0, try FileIO.readAll(path + "/" + $0)) })
        var rng = Rng(state: 42)
        var refused = 0
        for round in 0..<300 {
            let file = files[round % files.count]
            try FileIO.writeAtomically(damaged(originals[file]!, &rng), to: path + "/" + file)
            do {
                let s = try Segment.load(from: path, schema: Self.schema)
                _ = s.payloads.all  // decoding damaged values must not trap either
                for off in 0..<s.count { _ = s.vectors(at: off) }
            } catch {
                refused += 1
            }
            try FileIO.writeAtomically(originals[file]!, to: path + "/" + file)
        }
        #expect(refused > 100)
        #expect(try Segment.load(from: path, schema: Self.schema).ids == seg.ids)
    }

    @Test func byteReadersNeverTrap() throws {
        let tracker = ImmutableIDTracker(ids: (0..<20).map { .number(UInt64($0 * 7)) }, versions: (0..<20).map(UInt64.init), deleted: (0..<20).map { $0 % 3 == 0 }).write()
        let log = MutableIDTracker(ids: (0..<20).map { $0 % 4 == 0 ? nil : .number(UInt64($0)) }, versions: (0..<20).map(UInt64.init)).write()
        let state = try [UInt8].json(SegmentState(initialVersion: 3, version: 4, config: Self.schema.immutableConfig))
        var matrix = DenseMatrixFile.matrixHeader()
        for i in 0..<30 { SegmentBytes.le(Float(i).bitPattern, into: &matrix) }
        var rng = Rng(state: 7)
        for _ in 0..<2000 {
            let m = damaged(tracker.mappings, &rng), v = damaged(tracker.versions, &rng), d = damaged(tracker.deleted, &rng)
            _ = try? m.withUnsafeBytes { mm in try v.withUnsafeBytes { vv in try d.withUnsafeBytes { try ImmutableIDTracker.read(validating: mm, versions: vv, deleted: $0) } } }
            let l = damaged(log.mappings, &rng)
            _ = try? l.withUnsafeBytes { mm in try v.withUnsafeBytes { try MutableIDTracker.read(validating: mm, versions: $0) } }
            _ = try? SegmentState.read(validating: damaged(state, &rng))
            _ = try? PayloadIndexConfig.read(validating: damaged(Array(#"{"indexed_fields":{"a":"keyword"}}"#.utf8), &rng))
            _ = try? SegmentVersionInfo.read(validating: damaged(Array("0.6.0".utf8), &rng))
            let mx = damaged(matrix, &rng)
            _ = try? mx.withUnsafeBytes { try DenseMatrixFile.count(validatingMatrix: $0, dim: 3) }
            _ = try? mx.withUnsafeBytes { try DenseMatrixFile.readDeleted(validating: $0, count: 10) }
            _ = try? Gridstore.decode(damaged(Gridstore.encode(Array("{\"a\":[1,2,3]}".utf8), .lz4), &rng), .lz4, slot: 0)
        }
    }
}
