import Foundation
import Logging

/// What `qdb verify` reports for one archive.
public struct VerifyReport: Codable, Sendable {
    public var source: String
    public var ok: Bool
    public var kind: String?
    public var collection: String?
    public var points: Int?
    public var entries: Int = 0
    public var bytes: Int64 = 0
    public var sha256: String?
    /// `match`, `mismatch` or `absent` (no sidecar or given checksum to compare with).
    public var checksum: String = "absent"
    /// With `--deep`: the points counted after loading the archive in a staging directory.
    public var loaded_points: Int?
    /// With `--deep`: `match` or `mismatch` when qdb.json holds a fingerprint, `absent` when it
    /// does not (then only a search sanity check runs); nil for other kinds.
    public var fingerprint: String?
    /// The probes whose answers differ from the recorded ones.
    public var divergence: [ArchiveFingerprint.Divergence]?
    public var error: String?

    public init(source: String, ok: Bool, error: String? = nil) {
        self.source = source
        self.ok = ok
        self.error = error
    }
}

/// Checks snapshot archives without restoring them: archive structure (the same hostile-input
/// rules as restore), every entry against `qdb.json`, the whole stream against a sidecar or a
/// given checksum, and with `deep` that the collection loads and holds the recorded point count.
public enum SnapshotVerifier {
    /// - Parameter localFile: the archive's path when `source` reads a local regular file: its
    ///   whole-file SHA-256 is then computed from the file on a second thread, and the stream is
    ///   read only for the entries.
    public static func verify(
        _ source: any ByteSource, name: String, expectedChecksum: String?, deep: Bool, scratch: String,
        localFile: String? = nil
    ) -> VerifyReport {
        verify(source, name: name, expectedChecksum: expectedChecksum, deep: deep, scratch: scratch, localFile: localFile, nested: false)
    }

    /// `nested`: an archive inside a full snapshot, which may only be a collection snapshot.
    static func verify(
        _ source: any ByteSource, name: String, expectedChecksum: String?, deep: Bool, scratch: String,
        localFile: String? = nil, nested: Bool
    ) -> VerifyReport {
        var report = VerifyReport(source: name, ok: false)
        let fileHash = localFile.map { path in BackgroundTask { try SHA256Hasher.digest(ofFile: path) } }
        let hashing = fileHash == nil ? HashingSource(source) : nil
        let input = hashing ?? source
        do {
            var meta: ArchiveMetadata
            report.entries = 0
            if deep {
                let staging = scratch + "/verify-\(UUID().uuidString)"
                defer { FileIO.removeTree(staging) }
                meta = try SnapshotUnpacker.unpack(input, into: staging, checksum: nil)
                if nested, meta.kind != .collection {
                    throw SnapshotError(.corrupt, "\(name) is a \(meta.kind.rawValue) snapshot, not a collection snapshot")
                }
                report.loaded_points = try SnapshotError.staged { try loadedPoints(staging, meta: meta, report: &report) }
            } else {
                do {
                    meta = try streamCheck(input, report: &report)
                    try input.drain()
                } catch is NoMetadata {
                    // An archive made by Qdrant carries no digests: check it by structure, from
                    // the file again (a stream cannot be read twice: that takes --deep).
                    guard let localFile else {
                        throw SnapshotError(.corrupt, "the archive has no qdb.json (made by Qdrant?): verify it with --deep, which checks every segment's files")
                    }
                    let staging = scratch + "/verify-\(UUID().uuidString)"
                    defer { FileIO.removeTree(staging) }
                    meta = try SnapshotUnpacker.unpack(try FileDescriptorSource(path: localFile), into: staging, checksum: nil)
                    report.loaded_points = try SnapshotError.staged { try loadedPoints(staging, meta: meta, report: &report) }
                }
            }
            if meta.files.isEmpty, let loaded = report.loaded_points { meta.points = loaded }  // Qdrant's: no count recorded
            report.kind = meta.kind.rawValue
            report.collection = meta.collection
            report.points = meta.points
            report.entries = max(report.entries, meta.files.count + 1)
            let (bytes, got) = try fileHash?.wait() ?? (hashing!.byteCount, hashing!.finalizeHex())
            report.sha256 = got
            report.bytes = Int64(bytes)
            if let expectedChecksum {
                report.checksum = SHA256Hasher.checksumsMatch(expectedChecksum, got) ? "match" : "mismatch"
                if report.checksum == "mismatch" {
                    throw SnapshotError(.checksumMismatch, "checksum mismatch: expected \(expectedChecksum.lowercased()), got \(got)")
                }
            }
            if let loaded = report.loaded_points, loaded != meta.points {
                throw SnapshotError(.corrupt, "qdb.json records \(meta.points) points but the archive loads \(loaded)")
            }
            if let d = report.divergence, let first = d.first {
                let what = first.collection.map { "collection \($0) of the full snapshot" } ?? "the restored \(meta.kind == .shard ? "shard" : "collection")"
                let of = meta.fingerprint.map { " of \($0.probes.count)" } ?? ""
                throw SnapshotError(.corrupt, "\(what) answers \(d.count)\(of) probe queries differently than when the snapshot was made (probe \(first.probe): expected ids \(first.expected_ids), got \(first.got_ids))")
            }
            report.ok = true
        } catch {
            report.error = "\(error)"
            // The file's hash runs on a thread of its own: never return (and let the process
            // exit, tearing down libcrypto) while it still runs. Exiting under it raised SIGSEGV
            // or SIGILL in a few percent of `qdb verify` runs on bad archives.
            _ = try? fileHash?.wait()
        }
        return report
    }

    /// One streaming pass: hash every entry as it goes by, read `qdb.json`, compare.
    static func streamCheck(_ source: any ByteSource, report: inout VerifyReport) throws -> ArchiveMetadata {
        let reader = try TarReader(source: source)
        var digests: [FileDigest] = []
        var metaBytes: [UInt8]?
        // The holes of sparse entries are hashed as zeros: bounded as a restore bounds them.
        let limits = ExtractLimits()
        var declared = 0
        while let entry = try reader.next() {
            report.entries += 1
            guard entry.kind == .file else { continue }
            declared = Bounds.sum(declared, entry.size) ?? .max
            try limits.checkExpansion(entry, declared: declared, consumed: reader.bytesConsumed)
            if entry.path == ArchiveMetadata.entryName {
                metaBytes = try reader.readAll(limit: 64 << 20)
                continue
            }
            let h = SHA256Hasher()
            var size = 0
            try reader.readData { raw in
                h.update(raw)
                size += raw.count
            }
            digests.append(FileDigest(path: entry.path, size: size, sha256: h.finalizeHex()))
        }
        guard let metaBytes else { throw NoMetadata() }
        let meta: ArchiveMetadata
        do {
            meta = try JSONDecoder().decode(ArchiveMetadata.self, from: Data(metaBytes))
        } catch {
            throw SnapshotError(.corrupt, "snapshot qdb.json is unreadable: \(SnapshotError.describeDecoding(error))")
        }
        try meta.check(digests)
        return meta
    }

    /// `streamCheck` found no `qdb.json`.
    struct NoMetadata: Error {}

    /// Loads an unpacked collection or shard snapshot in its staging directory (every segment's
    /// files read and checked against each other) and counts points. For a collection, also
    /// replays the fingerprint (or, without one, runs the search sanity check) into `report`.
    static func loadedPoints(_ staging: String, meta: ArchiveMetadata, report: inout VerifyReport) throws -> Int {
        if meta.kind == .shard {
            try SnapshotUnpacker.layOutShard(staging)
            var logger = Logger(label: "qdb-verify")
            logger.logLevel = .error
            let schema = try SegmentSchema(ofShardDir: staging)
            let shard = try Shard.open(id: meta.shard_id ?? 0, dir: staging, schema: schema, sealThreshold: .max, logger: logger)
            if meta.files.isEmpty { try shard.checkPayloads() }
            replayShardFingerprint(meta, on: shard, report: &report)
            return shard.count(filter: nil)
        }
        if meta.kind == .full { return try nestedPoints(staging, report: &report) }
        guard meta.kind == .collection else { return meta.points }
        let config = try SnapshotError.decodeEntry(CollectionConfig.self, at: staging + "/config.json", entry: "config.json")
        for s in 0..<config.params.shard_number {
            // A count the archive cannot back is refused at its first missing shard, not looped over.
            guard FileIO.isDirectory(staging + "/\(s)") else { throw SnapshotError(.corrupt, "snapshot has no data for shard \(s)") }
            try SnapshotUnpacker.layOutShard(staging + "/\(s)")
        }
        var logger = Logger(label: "qdb-verify")
        logger.logLevel = .error
        let collection = try Collection.open(name: meta.collection ?? "verify", dir: staging, sealThreshold: .max, logger: logger)
        if let fingerprint = meta.fingerprint {
            let divergence = fingerprint.replay(on: collection)
            report.fingerprint = divergence.isEmpty ? "match" : "mismatch"
            report.divergence = divergence.isEmpty ? nil : divergence
        } else {
            report.fingerprint = "absent"
            if let problem = ArchiveFingerprint.sanity(collection) {
                throw SnapshotError(.corrupt, "the restored collection fails a search sanity check: \(problem)")
            }
        }
        if meta.files.isEmpty { for shard in collection.shards { try shard.checkPayloads() } }
        return collection.count(filter: nil)
    }
}
