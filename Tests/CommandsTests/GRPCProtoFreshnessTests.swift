import Engine
import Foundation
import QdrantProto
import Testing

/// The generated gRPC code in Sources/QdrantProto must come from the .proto files in proto/:
/// `scripts/gen-grpc` records each file's SHA-256 in `ProtoManifest`, and this test fails when a
/// .proto was edited (or added, or removed) without regenerating. (`scripts/gen-grpc --check`
/// regenerates and diffs the code itself; it needs the protoc plugins, which CI does not build.)
@Suite struct GRPCProtoFreshnessTests {
    static let protoDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("proto").path

    @Test func generatedCodeMatchesProtoFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.protoDir).filter { $0.hasSuffix(".proto") }.sorted()
        #expect(!files.isEmpty, "no .proto files under \(Self.protoDir)")
        #expect(files == ProtoManifest.sha256.keys.sorted(), "proto/ files differ from those the code was generated from; run scripts/gen-grpc")
        for file in files {
            let digest = try SHA256Hasher.hexDigest(ofFile: Self.protoDir + "/" + file)
            #expect(ProtoManifest.sha256[file] == digest, "proto/\(file) changed since the code was generated; run scripts/gen-grpc")
        }
    }
}
