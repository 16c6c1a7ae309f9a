import Foundation
import Testing
@testable import Commands
import Engine

/// `storage.snapshots_config` keys: file, env overrides (QDB__/QDRANT__), validation.
@Suite struct ServeConfigS3Tests {
    func write(_ yaml: String) throws -> String {
        let path = NSTemporaryDirectory() + "qdb-s3config-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func seedConfigWithEnvOverrides() throws {
        let file = try write("""
            storage:
              snapshots_config:
                snapshots_storage: s3
                s3_config:
                  bucket: my-qdrant-snapshots
                  region: us-east-1
                  access_key: AKIAIOSFODNN7EXAMPLE
                  secret_key: fromfile
            """)
        defer { unlink(file) }
        let c = try ServeConfig.load(file: file, environment: [
            "QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__SECRET_KEY": "fromenv",
            "QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__ENDPOINT_URL": "http://127.0.0.1:9000",
            "QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__PART_SIZE_MB": "8",
        ])
        #expect(c.snapshotsStorage == "s3" && c.s3.bucket == "my-qdrant-snapshots" && c.s3.secretKey == "fromenv")
        #expect(c.s3.partSizeMB == 8 && c.s3.endpointURL == "http://127.0.0.1:9000")
        let store = try #require(c.snapshotStore(environment: [:]) as? S3SnapshotStore)
        #expect(store.partSize == 8 << 20 && store.root == "snapshots" && store.client.endpoint.pathStyle)
        #expect(store.client.endpoint.credentials == S3Credentials(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "fromenv"))
    }

    @Test func awsEnvironmentFillsWhatConfigLeavesOut() throws {
        var c = ServeConfig()
        c.snapshotsStorage = "s3"
        c.s3.bucket = "b"
        let store = try #require(c.snapshotStore(environment: [
            "AWS_ACCESS_KEY_ID": "ak", "AWS_SECRET_ACCESS_KEY": "sk", "AWS_REGION": "eu-west-3"]) as? S3SnapshotStore)
        #expect(store.client.endpoint.credentials == S3Credentials(accessKey: "ak", secretKey: "sk"))
        #expect(store.client.endpoint.url(key: "k") == "https://b.s3.eu-west-3.amazonaws.com/k")
        #expect(ServeConfig().snapshotStore(environment: [:]) is LocalSnapshotStore)
    }

    @Test func badValuesAndUnknownKeysAreErrors() {
        let bad: [[String: String]] = [
            ["QDB__STORAGE__SNAPSHOTS_CONFIG__SNAPSHOTS_STORAGE": "gcs"],
            ["QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__PART_SIZE_MB": "4"],
            ["QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__ENDPOINT_URL": "ftp://x"],
            ["QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__BUKET": "typo"],
            ["QDB__STORAGE__SNAPSHOTS_CONFIG__SNAPSHOTS_STORAGE": "s3"],  // no bucket
        ]
        for env in bad {
            #expect(throws: ConfigError.self) { _ = try ServeConfig.load(file: nil, environment: env) }
        }
    }
}
