import Engine
import Foundation

/// `s3://bucket/key-or-prefix` locations and the S3 settings around them: the endpoint, region
/// and credentials come from `defaults` (the server's `s3_config`), then from the standard
/// `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
struct S3Target {
    var bucket: String
    /// The key (a snapshot) or the prefix (a snapshots root), without leading or trailing `/`.
    var path: String

    init(bucket: String, path: String) {
        self.bucket = bucket
        self.path = path
    }

    static func isS3(_ spec: String) -> Bool { spec.lowercased().hasPrefix("s3://") }

    /// Parses `s3://bucket[/path]`.
    init(_ spec: String) throws {
        guard S3Target.isS3(spec) else { throw CommandFailure(ExitStatus.usage, "not an s3:// location: \(spec)") }
        let rest = spec.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { throw CommandFailure(ExitStatus.usage, "s3:// location without a bucket: \(spec)") }
        self.bucket = String(bucket)
        path = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
    }

    /// The endpoint of this bucket. `credentials` (e.g. from a recover request's `api_key`) win over
    /// `defaults` and the environment.
    func endpoint(defaults: S3Settings? = nil, credentials: S3Credentials? = nil,
                  environment: [String: String] = ProcessInfo.processInfo.environment) -> S3Endpoint {
        let env = { (k: String) in environment[k].flatMap { $0.isEmpty ? nil : $0 } }
        var creds = credentials
        if creds == nil, let ak = defaults?.accessKey ?? env("AWS_ACCESS_KEY_ID"), let sk = defaults?.secretKey ?? env("AWS_SECRET_ACCESS_KEY") {
            creds = S3Credentials(accessKey: ak, secretKey: sk)
        }
        return S3Endpoint(
            endpointURL: defaults?.endpointURL ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL"),
            region: defaults?.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? "us-east-1",
            bucket: bucket, credentials: creds, pathStyle: defaults?.forcePathStyle)
    }

    /// A store whose snapshots root is this location's path (`s3://b` → keys `snapshots/…`, as a
    /// server with `bucket: b`; `s3://b/p` → keys `p/snapshots/…`).
    func store(defaults: S3Settings? = nil, localTemp: String) -> S3SnapshotStore {
        let root = path.isEmpty ? "snapshots" : path + "/snapshots"
        let partSize = (defaults?.partSizeMB ?? Int(ProcessInfo.processInfo.environment["QDB_S3_PART_SIZE_MB"] ?? "") ?? 32) << 20
        return S3SnapshotStore(client: S3Client(endpoint: endpoint(defaults: defaults)), root: root, partSize: partSize, localTemp: localTemp)
    }

    /// A stream of the object at this location's key.
    func source(defaults: S3Settings? = nil, credentials: S3Credentials? = nil) throws -> S3ObjectSource {
        guard !path.isEmpty else { throw CommandFailure(ExitStatus.usage, "s3://\(bucket) names no object; give s3://bucket/key") }
        return try S3ObjectSource(client: S3Client(endpoint: endpoint(defaults: defaults, credentials: credentials)), key: path)
    }
}

extension S3Target {
    /// The `<key>.checksum` object beside this key, when it holds a valid SHA-256.
    func sidecarChecksum() throws -> String? {
        guard let bytes = try S3Client(endpoint: endpoint()).getSmallObject(path + ".checksum") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return SHA256Hasher.isValidChecksum(text) ? text : nil
    }
}

/// `storage.snapshots_config.s3_config` (Qdrant's keys) plus qdb's extensions.
public struct S3Settings: Sendable, Equatable {
    public var bucket: String?
    public var region: String?
    public var accessKey: String?
    public var secretKey: String?
    public var endpointURL: String?
    /// qdb extension: multipart part size in MiB (≥ 5; memory use is about two parts).
    public var partSizeMB = 32
    /// qdb extension: force path-style (true) or virtual-host (false) URLs; default by endpoint.
    public var forcePathStyle: Bool?

    public init() {}
}
