import Foundation

extension SegmentManifest {
    /// The files whose version Qdrant leaves `null` ("unversioned": the segment's version
    /// applies) in a segment manifest: the mutable files of a sealed segment, which change in
    /// place after it was built — the id tracker's versions and deleted flags, and the payload
    /// index's `config.json` (a field index created later). Qdrant versions only vector
    /// storage, payload storage and immutable files (`Segment::_get_segment_manifest`,
    /// `lib/segment/src/segment/snapshot.rs`).
    static let unversionedFiles: Set<String> = ["id_tracker.versions", "id_tracker.deleted", "payload_index/config.json"]

    /// This manifest with Qdrant's `null` for `unversionedFiles`. A null file's effective version
    /// is `segment_version`, which qdb raises with every change to the segment, so it is never
    /// older than the number qdb kept for the file: a requester is sent such a file at least as
    /// often as before.
    func unversioningMutableFiles() -> SegmentManifest {
        var m = self
        for file in Self.unversionedFiles where m.file_versions[file] != nil {
            m.file_versions[file] = .some(nil)
        }
        return m
    }
}
