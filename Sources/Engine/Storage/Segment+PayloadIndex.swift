import Foundation

extension Segment {
    /// Rewrites this sealed segment's `payload_index/config.json` to list `indexedFields` (a field
    /// index created or dropped after the seal), so Qdrant and Qdrant Edge loading the segment
    /// build the same field indexes. The file and then `segment.json` (its new digest, and the
    /// segment's version raised to `version`) are each replaced by rename, so a snapshot's hard
    /// links keep the old inodes. A raised segment version makes the file — `null`-versioned in
    /// Qdrant's manifest, see `SegmentManifest.unversionedFiles` — due again for every partial
    /// snapshot requester.
    func writePayloadIndexConfig(in segmentsDir: String, indexedFields: [String: JSONValue], version: UInt64) throws {
        let dir = segmentsDir + "/" + id
        let bytes = try PayloadIndexConfig(indexedFields: indexedFields).write()
        try FileIO.makeDirectories(dir + "/payload_index")
        try FileIO.writeAtomically(bytes, to: dir + "/" + PayloadIndexConfig.path)
        fileDigests[PayloadIndexConfig.path] = ArchiveMetadata.FileInfo(size: bytes.count, sha256: SHA256Hasher.hexDigest(of: bytes))
        deletedVersion = max(deletedVersion, version)
        try FileIO.writeAtomically(try segmentJSON(), to: dir + "/" + SegmentState.fileName)
    }
}
