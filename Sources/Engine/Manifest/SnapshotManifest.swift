import Foundation

/// What one sealed segment holds, as Qdrant's `SegmentManifest` (reference §3.1): the segment's
/// version and each file's version (`nil` = unversioned, "use `segment_version`"). qdb adds the
/// SHA-256 and size of each file, and the collection and shard the segment belongs to, so a
/// partial snapshot can compare contents and refuse a manifest of another shard.
public struct SegmentManifest: Codable, Sendable, Equatable {
    public var segment_id: String
    public var segment_version: UInt64
    public var file_versions: [String: UInt64?]
    /// qdb extension: file → 64 lowercase hex.
    public var file_sha256: [String: String]?
    /// qdb extension: file → bytes.
    public var file_sizes: [String: Int]?
    /// qdb extension: the collection and shard this segment was read from.
    public var collection: String?
    public var shard_id: Int?

    public init(
        segment_id: String, segment_version: UInt64, file_versions: [String: UInt64?], file_sha256: [String: String]? = nil,
        file_sizes: [String: Int]? = nil, collection: String? = nil, shard_id: Int? = nil
    ) {
        self.segment_id = segment_id
        self.segment_version = segment_version
        self.file_versions = file_versions
        self.file_sha256 = file_sha256
        self.file_sizes = file_sizes
        self.collection = collection
        self.shard_id = shard_id
    }

    /// Every file the manifest names (by version or by hash).
    var fileNames: Set<String> { Set(file_versions.keys).union(file_sha256?.keys.map { $0 } ?? []) }

    /// Pretty, key-sorted JSON, as a segment's `segment_manifest.json`.
    func json() throws -> [UInt8] { try SnapshotManifest.prettyJSON(self) }

    /// A file's effective version: its own, or the segment's when it has none.
    public func version(of file: String) -> UInt64? {
        guard let v = file_versions[file] else { return nil }
        return v ?? segment_version
    }

    /// Whether this (current) segment's `file` must be sent to a requester that has `theirs`.
    /// Where both sides know the file's SHA-256 (qdb's manifests), the contents decide: sent if
    /// they differ, not sent if they are equal, whatever the versions say. A mutable file's
    /// version is the segment's (`null`, Qdrant's rule), so it rises with every delete in the
    /// segment although the file may not have changed: a sealed segment's `id_tracker.versions`
    /// (8 bytes a point) is never rewritten after the seal, and would otherwise travel in every
    /// partial snapshot after a delete. Otherwise Qdrant's rule: sent when the requester lacks
    /// it or has an older version; two version-0 files cannot be told apart, so they are sent.
    func mustSend(_ file: String, to theirs: SegmentManifest?, versionsKnown: Bool) -> Bool {
        guard let theirs, theirs.file_versions[file] != nil || theirs.file_sha256?[file] != nil else { return true }
        let ourHash = file_sha256?[file]
        let theirHash = theirs.file_sha256?[file]
        if let ourHash, let theirHash { return ourHash != theirHash }
        guard versionsKnown else { return true }
        guard let mine = version(of: file), let their = theirs.version(of: file) else { return true }
        if their < mine { return true }
        return mine == 0 && their == 0
    }
}

/// A shard's manifest: segment id → `SegmentManifest`, encoded as a plain JSON object exactly as
/// Qdrant's transparent map. `{}` means "I have nothing".
public struct SnapshotManifest: Codable, Sendable, Equatable {
    public var segments: [String: SegmentManifest]
    /// False for the seed's `{"files":[{"path","hash"}]}` form, which carries hashes only.
    public var versionsKnown = true

    public init(segments: [String: SegmentManifest] = [:]) { self.segments = segments }

    public init(from decoder: any Decoder) throws {
        segments = try decoder.singleValueContainer().decode([String: SegmentManifest].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(segments)
    }

    public var isEmpty: Bool { segments.isEmpty }

    /// The newest version any segment claims.
    public var maxVersion: UInt64 { segments.values.map(\.segment_version).max() ?? 0 }

    /// Pretty, key-sorted JSON (stable output for diffs and tests).
    public func json() throws -> [UInt8] { try SnapshotManifest.prettyJSON(self) }

    static func prettyJSON(_ value: some Encodable) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(value))
    }

    /// Parses a manifest: Qdrant's map form, or the seed's simple `{"files":[{"path","hash"}]}`
    /// form where `path` is `segments/<segment id>/<file>` (or `<segment id>/<file>`) and `hash`
    /// its SHA-256. Validates ids and paths (nothing can name a file outside its segment) and
    /// that no file is newer than its segment.
    /// - Throws: `SnapshotError(.badInput)` naming what is wrong.
    public static func parse(_ bytes: [UInt8]) throws -> SnapshotManifest {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw SnapshotError(.badInput, "manifest is not valid JSON: \(Self.describe(error))")
        }
        guard let dict = object as? [String: Any] else {
            throw SnapshotError(.badInput, "manifest must be a JSON object mapping segment ids to segment manifests")
        }
        var manifest: SnapshotManifest
        if let files = dict["files"] as? [Any], dict.count == 1 {
            manifest = try simpleForm(files)
        } else {
            do {
                manifest = try JSONDecoder().decode(SnapshotManifest.self, from: Data(bytes))
            } catch {
                throw SnapshotError(.badInput, "manifest is not a valid shard manifest: \(Self.describe(error))")
            }
        }
        try manifest.validate()
        return manifest
    }

    /// The checks every manifest must pass before it names a path or is compared.
    public func validate() throws {
        for (key, seg) in segments {
            guard SnapshotManifest.isSafeName(key) else { throw SnapshotError(.badInput, "manifest names an invalid segment id \"\(key)\"") }
            guard seg.segment_id == key else {
                throw SnapshotError(.badInput, "manifest entry \(key) has segment_id \(seg.segment_id)")
            }
            let files = Set(seg.file_versions.keys).union(seg.file_sha256?.keys ?? [:].keys).union(seg.file_sizes?.keys ?? [:].keys)
            for f in files {
                guard SnapshotManifest.isSafePath(f) else { throw SnapshotError(.badInput, "manifest of segment \(key) names an invalid file path \"\(f)\"") }
            }
            for (f, v) in seg.file_versions {
                if let v, v > seg.segment_version, versionsKnown {
                    throw SnapshotError(
                        .badInput, "manifest of segment \(key) is invalid: file \(f) has version \(v), newer than the segment's \(seg.segment_version)")
                }
            }
            for (f, h) in seg.file_sha256 ?? [:] where !SHA256Hasher.isValidChecksum(h) {
                throw SnapshotError(.badInput, "manifest of segment \(key) has an invalid sha256 for \(f)")
            }
        }
    }

    static func simpleForm(_ files: [Any]) throws -> SnapshotManifest {
        var m = SnapshotManifest()
        m.versionsKnown = false
        for item in files {
            guard let entry = item as? [String: Any], let path = entry["path"] as? String else {
                throw SnapshotError(.badInput, "manifest \"files\" entries must be objects with a \"path\" and a \"hash\"")
            }
            let hash = (entry["hash"] as? String)?.lowercased()
            var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.first == "segments" { parts.removeFirst() }
            // A path that names no segment file of qdb's (the seed's "segment_1.dat") says the
            // requester has something this shard does not know: it changes nothing.
            guard parts.count >= 2, isSafeName(parts[0]) else { continue }
            let seg = parts[0]
            let file = parts.dropFirst().joined(separator: "/")
            var s = m.segments[seg] ?? SegmentManifest(segment_id: seg, segment_version: 0, file_versions: [:], file_sha256: [:])
            s.file_versions[file] = .some(nil)
            if let hash, SHA256Hasher.isValidChecksum(hash) { s.file_sha256?[file] = hash }
            m.segments[seg] = s
        }
        return m
    }

    /// A segment id: one path component, no dots-only names, no separators or NULs.
    public static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 255 && s != "." && s != ".." && !s.contains("/") && !s.contains("\0") && !s.hasPrefix(".")
    }

    /// A path relative to a segment directory: safe components only.
    public static func isSafePath(_ s: String) -> Bool {
        guard !s.isEmpty, !s.hasPrefix("/"), s.utf8.count <= 1024 else { return false }
        return s.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { isSafeName(String($0)) }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c), DecodingError.keyNotFound(_, let c),
            DecodingError.dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        default:
            return (error as NSError).localizedDescription
        }
    }
}
