import Foundation

extension S3SnapshotStore {
    /// Keeps `annotation` in the object `<key>.info.json` beside the snapshot's, as the local
    /// store keeps `<file>.info.json`; list and describe show it, delete removes it.
    public func annotate(_ scope: SnapshotScope, name: String, _ annotation: SnapshotAnnotation) throws {
        try client.putObject(try key(scope, name: name) + SnapshotAnnotation.suffix, try annotation.encoded(), contentType: "application/json")
    }

    /// The annotation of the snapshot at `key`, when `keys` (a listing beside it) holds one.
    /// An unreadable object counts as none: it only adds to a listing.
    func annotation(ofKey key: String, in keys: Set<String>) -> SnapshotAnnotation? {
        guard keys.contains(key + SnapshotAnnotation.suffix),
              let bytes = try? client.getSmallObject(key + SnapshotAnnotation.suffix) else { return nil }
        return SnapshotAnnotation.decode(bytes)
    }

    /// `d` with the description and labels kept beside it.
    func annotated(_ d: SnapshotDescription, key: String, in keys: Set<String>) -> SnapshotDescription {
        guard let a = annotation(ofKey: key, in: keys) else { return d }
        var d = d
        (d.description, d.labels) = (a.description, a.labels)
        return d
    }
}
