import Foundation
import Testing
@testable import Engine

/// Replays every checked-in fuzz seed (Tests/Fixtures/fuzz/<target>/) and every regression a
/// fuzzer found (Tests/Fixtures/fuzz-regressions/<target>/) through its target: none may crash,
/// and every target has seeds.
@Suite struct FuzzCorpusTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    @Test func everyTargetHasSeeds() {
        for name in FuzzTargets.all.keys {
            #expect(!FileIO.listDirectory(Self.fixtures + "/fuzz/" + name).isEmpty, "no seeds for fuzz target \(name)")
        }
    }

    @Test(arguments: ["fuzz", "fuzz-regressions"])
    func corpusReplaysWithoutCrashing(kind: String) throws {
        let root = Self.fixtures + "/" + kind
        var ran = 0
        for target in FileIO.listDirectory(root) {
            #expect(FuzzTargets.all[target] != nil, "\(kind)/\(target) names no fuzz target")
            for file in FileIO.listDirectory(root + "/" + target) {
                let bytes = try FileIO.readAll(root + "/" + target + "/" + file)
                bytes.withUnsafeBytes { _ = FuzzTargets.run(target, $0) }
                ran += 1
            }
        }
        if kind == "fuzz" { #expect(ran >= FuzzTargets.all.count) }
    }

    /// The seeds are valid inputs: the interesting ones must be accepted, so the fuzzer starts
    /// from inputs that reach deep into each reader.
    @Test func validSeedsAreAccepted() throws {
        for (target, file) in [("tar-extract", "snapshot.tar"), ("segment", "0-segment.json"), ("segment", "5-vector_storage-matrix.dat"), ("segment", "8-payload_storage-tracker.dat"),
                               ("multipart", "one-field"), ("wal", "wal.log"), ("manifest", "qdrant-form.json"),
                               ("hnsw-graph", "0-links_compressed.bin"), ("hnsw-graph", "1-graph.bin"), ("hnsw-graph", "2-hnsw_config.json")] {
            let bytes = try FileIO.readAll(Self.fixtures + "/fuzz/\(target)/\(file)")
            try bytes.withUnsafeBytes { try FuzzTargets.all[target]!($0) }
        }
    }
}
