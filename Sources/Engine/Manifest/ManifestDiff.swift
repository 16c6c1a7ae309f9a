/// What differs between two shard manifests, file by file: what a partial snapshot from `new`
/// to a holder of `old` carries (added, changed) and what recovering it deletes (removed).
public struct ManifestDiff: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// `<segment id>/<file>`.
        public var path: String
        /// Size in `new` (added, changed) or `old` (removed), when the manifest records it.
        public var bytes: Int?
    }

    public var added: [Entry] = []
    public var changed: [Entry] = []
    public var removed: [Entry] = []
    /// Bytes a partial snapshot carries for the added and changed files (known sizes only).
    public var bytes: Int = 0

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    /// The files of `new` that a holder of `old` lacks or has older/different, and the files of
    /// `old` that `new` no longer lists. Uses the same rule as partial snapshot creation.
    public init(old: SnapshotManifest, new: SnapshotManifest) {
        for (id, seg) in new.segments {
            let theirs = old.segments[id]
            for file in seg.fileNames {
                let entry = Entry(path: id + "/" + file, bytes: seg.file_sizes?[file])
                if theirs?.fileNames.contains(file) != true {
                    added.append(entry)
                } else if seg.mustSend(file, to: theirs, versionsKnown: old.versionsKnown && new.versionsKnown) {
                    changed.append(entry)
                } else {
                    continue
                }
                bytes += entry.bytes ?? 0
            }
        }
        for (id, seg) in old.segments {
            let kept = new.segments[id]?.fileNames ?? []
            for file in seg.fileNames where !kept.contains(file) {
                removed.append(Entry(path: id + "/" + file, bytes: seg.file_sizes?[file]))
            }
        }
        added.sort { $0.path < $1.path }
        changed.sort { $0.path < $1.path }
        removed.sort { $0.path < $1.path }
    }
}
