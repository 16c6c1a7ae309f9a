import Foundation

/// Reads a qdb snapshot archive from a stream into a fresh staging directory, checking every
/// entry against `qdb.json` and, when given, the SHA-256 of the whole stream.
enum SnapshotUnpacker {
    /// - Returns: the archive's metadata once every check has passed.
    /// - Throws: `SnapshotError` (`.corrupt`, `.checksumMismatch`) or `ArchiveError` for hostile
    ///   or malformed archives. Nothing is written outside `staging`.
    /// - Parameter sync: fsync every file and directory before returning; without it the caller
    ///   must (`FileIO.syncTree`) before the staged files may be relied on.
    static func unpack(
        _ source: any ByteSource, into staging: String, checksum: String?, limits: ExtractLimits = ExtractLimits(),
        sync: Bool = true
    ) throws -> ArchiveMetadata {
        if let checksum, !SHA256Hasher.isValidChecksum(checksum) {
            throw SnapshotError(.badInput, "checksum must be 64 hexadecimal characters (invalid_sha256_hash)")
        }
        try FileIO.makeDirectories(staging)
        // Up front: an archive of known size that cannot fit is refused before a byte is written
        // (the extractor checks again at every entry, for streams of unknown size).
        if let size = source.remainingSize {
            try limits.checkFreeSpace(size, in: staging, entry: nil)
        }
        // The whole stream is hashed only against a given checksum; every entry is hashed anyway.
        let hashing = checksum == nil ? nil : HashingSource(source)
        let input = hashing ?? source
        let digests = try TarExtractor(reader: try TarReader(source: input), staging: staging).extract(limits: limits, fsync: sync, writeback: true)
        try input.drain()
        if let checksum, let hashing {
            let got = hashing.finalizeHex()
            guard SHA256Hasher.checksumsMatch(checksum, got) else {
                throw SnapshotError(.checksumMismatch, "Snapshot checksum mismatch: expected \(checksum.lowercased()), got \(got)")
            }
        }
        let metaPath = staging + "/" + ArchiveMetadata.entryName
        guard FileIO.exists(metaPath) else { return try qdrantArchive(staging, entries: digests) }
        let meta = try SnapshotError.decodeEntry(ArchiveMetadata.self, at: metaPath, entry: ArchiveMetadata.entryName)
        try meta.check(digests)
        return meta
    }

    /// The metadata of an archive Qdrant (or Qdrant Edge) made: no `qdb.json`, so no per-entry
    /// digests (the sidecar or a given checksum covers the stream); the kind follows from the
    /// layout of its entries (`ArchiveMetadata.foreign(paths:)`).
    static func qdrantArchive(_ staging: String, entries: [FileDigest]) throws -> ArchiveMetadata {
        try ArchiveMetadata.foreign(paths: entries.map(\.path))
    }

    /// `unpack`, then refuses an archive of another kind (a partial snapshot on a full recovery
    /// path, a collection snapshot on a shard route, …) with a message naming both kinds.
    static func unpack(
        _ source: any ByteSource, into staging: String, checksum: String?, expecting kind: ArchiveMetadata.Kind,
        sync: Bool = true
    ) throws -> ArchiveMetadata {
        let meta = try unpack(source, into: staging, checksum: checksum, sync: sync)
        guard meta.kind == kind else {
            let hint = meta.kind == .partial ? "; apply it with …/snapshot/partial/recover (qdb restore --partial)"
                : kind == .partial ? "; recover it through the \(meta.kind.rawValue) snapshot routes (qdb restore without --partial)" : ""
            throw SnapshotError(.badInput, "this is a \(meta.kind.rawValue) snapshot, not a \(kind.rawValue) snapshot\(hint)")
        }
        return meta
    }

    /// Turns an unpacked shard (`<dir>/segments/<uuid>/files/…`) into the on-disk shard layout
    /// (`<dir>/segments/<uuid>/…`, qdb's `wal/`), checking that `shard.json` lists exactly the
    /// segments present. An archive made by Qdrant has no `shard.json`: the segment set is then
    /// every segment directory with a `version.info` (Qdrant deletes the others at load too).
    /// Qdrant's WAL files are read for the last operation number and removed; `shard.json`'s
    /// `flushed_seq` is raised to at least that and every segment's version, so operations
    /// applied after the restore are numbered after everything in the archive.
    static func layOutShard(_ dir: String) throws {
        let segmentsDir = dir + "/segments"
        try FileIO.makeDirectories(segmentsDir)
        for seg in FileIO.listDirectory(segmentsDir) {
            let files = segmentsDir + "/" + seg + "/files"
            guard FileIO.isDirectory(files) else { throw SnapshotError(.corrupt, "snapshot segment \(seg) has no files/ directory") }
            for name in FileIO.listDirectory(files) {
                guard rename(files + "/" + name, segmentsDir + "/" + seg + "/" + name) == 0 else {
                    throw FileIO.ioError("move segments/\(seg)/files/\(name)")
                }
            }
            guard rmdir(files) == 0 else { throw FileIO.ioError("rmdir segments/\(seg)/files") }
            try FileIO.syncDirectory(segmentsDir + "/" + seg)
        }
        try FileIO.makeDirectories(dir + "/wal")
        let walLast = try QdrantWAL.adopt(dir: dir + "/wal")
        ShardClocks.adopt(dir: dir)
        var state: Shard.State
        if FileIO.exists(dir + "/shard.json") {
            guard let data = try? FileIO.readAll(dir + "/shard.json"),
                let s = try? JSONDecoder().decode(Shard.State.self, from: Data(data))
            else { throw SnapshotError(.corrupt, "snapshot shard \((dir as NSString).lastPathComponent) has no readable shard.json") }
            state = s
        } else {
            var segments: [String] = []
            for seg in FileIO.listDirectory(segmentsDir).sorted() {
                guard FileIO.exists(segmentsDir + "/" + seg + "/version.info") else {
                    FileIO.removeTree(segmentsDir + "/" + seg)
                    continue
                }
                guard SnapshotManifest.isSafeName(seg) else { throw SnapshotError(.corrupt, "snapshot segment name \(seg) is not usable") }
                segments.append(seg)
            }
            state = Shard.State(flushed_seq: 0, segments: segments)
        }
        let present = Set(FileIO.listDirectory(segmentsDir))
        guard Set(state.segments) == present else {
            throw SnapshotError(.corrupt, "snapshot shard lists segments \(state.segments.sorted()) but holds \(present.sorted())")
        }
        var last = max(state.flushed_seq, walLast)
        for seg in state.segments {
            guard let bytes = try? SegmentFiles.readSmall(segmentsDir + "/" + seg + "/segment.json", "segment.json") else {
                throw SnapshotError(.corrupt, "snapshot segment \(seg) has no segment.json")
            }
            struct Versions: Decodable { var version: UInt64? }  // Qdrant's and qdb 0.1's key alike
            last = max(last, (try? JSONDecoder().decode(Versions.self, from: Data(bytes)))?.version ?? 0)
        }
        if last != state.flushed_seq || !FileIO.exists(dir + "/shard.json") {
            state.flushed_seq = last
            try FileIO.writeAtomically(try [UInt8].json(state, pretty: true), to: dir + "/shard.json")
        }
        try FileIO.syncDirectory(segmentsDir)
        try FileIO.syncDirectory(dir)
    }
}
