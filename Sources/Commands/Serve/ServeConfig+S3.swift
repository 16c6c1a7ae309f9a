import Engine
import Foundation
import Logging

/// The S3 snapshot storage keys (reference §4.7): `storage.snapshots_config.snapshots_storage`
/// and `storage.snapshots_config.s3_config.{bucket, region, access_key, secret_key, endpoint_url}`,
/// plus qdb's `part_size_mb` and `force_path_style`. Env overrides work as for every key
/// (`QDRANT__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__BUCKET`). Credentials left unset fall back to
/// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (and region/endpoint to `AWS_REGION`/`AWS_ENDPOINT_URL`).
extension ServeConfig {
    static let s3Prefix = "storage.snapshots_config.s3_config."

    static let s3Keys: [String: Kind] = [
        "storage.snapshots_config.snapshots_storage": .snapshotsStorage,
        s3Prefix + "bucket": .optionalString,
        s3Prefix + "region": .optionalString,
        s3Prefix + "access_key": .optionalString,
        s3Prefix + "secret_key": .optionalString,
        s3Prefix + "endpoint_url": .optionalString,
        s3Prefix + "part_size_mb": .int(5...5120),
        s3Prefix + "force_path_style": .bool,
    ]

    /// Sets one `s3_config` key. A bad value's message never repeats a secret.
    mutating func setS3(_ key: String, _ text: String?, _ bad: (String) -> ConfigError) throws {
        let value = (text?.isEmpty ?? true) ? nil : text
        switch key.dropFirst(ServeConfig.s3Prefix.count) {
        case "bucket": s3.bucket = value
        case "region": s3.region = value
        case "access_key": s3.accessKey = value
        case "secret_key": s3.secretKey = value
        case "endpoint_url":
            if let value, !(value.hasPrefix("http://") || value.hasPrefix("https://")) { throw bad("an http:// or https:// URL") }
            s3.endpointURL = value
        case "part_size_mb":
            guard let value, let n = Int(value), (5...5120).contains(n) else { throw bad("an integer in 5...5120 (MiB)") }
            s3.partSizeMB = n
        default:
            guard let value, let b = ["true": true, "false": false][value.lowercased()] else { throw bad("true or false") }
            s3.forcePathStyle = b
        }
    }

    /// With `snapshots_storage: s3`, a bucket is required.
    func validateSnapshotsStorage() throws {
        if snapshotsStorage == "s3", s3.bucket == nil {
            throw ConfigError("storage.snapshots_config.snapshots_storage is s3 but storage.snapshots_config.s3_config.bucket is not set")
        }
    }

    /// The snapshot store this config describes: the local snapshots directory, or the S3 bucket
    /// with keys `snapshots/…` (upload spools stay in `<snapshots_path>/tmp`).
    public func snapshotStore(environment: [String: String] = ProcessInfo.processInfo.environment) -> any SnapshotStore {
        guard snapshotsStorage == "s3", let bucket = s3.bucket else { return LocalSnapshotStore(root: snapshotsPath) }
        let target = S3Target(bucket: bucket, path: "")
        return S3SnapshotStore(
            client: S3Client(endpoint: target.endpoint(defaults: s3, environment: environment)),
            root: "snapshots", partSize: s3.partSizeMB << 20, localTemp: snapshotsPath + "/tmp")
    }
}

extension Serve {
    /// Multipart uploads a killed server left pending under the store's keys are garbage by
    /// construction, like the local temp dir: abort them before serving. A bucket that cannot be
    /// reached now is logged, and the server starts anyway (snapshot calls then report the error).
    func abortStaleS3Uploads(_ config: ServeConfig, logger: Logger) {
        guard let store = config.snapshotStore() as? S3SnapshotStore else { return }
        let n: Int
        do {
            n = try store.abortStaleUploads()
        } catch {
            logger.warning("S3 snapshot storage is not reachable now: \(error)")
            return
        }
        logger.info("S3 snapshot storage", metadata: [
            "bucket": "\(store.client.endpoint.bucket)", "endpoint": "\(store.client.endpoint.endpointURL ?? "aws")",
            "aborted_stale_uploads": "\(n)"])
    }
}

extension ServeConfig {
    /// Whether this server is configured for S3 at all: snapshots stored there, or an
    /// `s3_config` bucket or endpoint given. Only then may a recovery read an `s3://` location.
    var s3Configured: Bool { snapshotsStorage == "s3" || s3.bucket != nil || s3.endpointURL != nil }
}
