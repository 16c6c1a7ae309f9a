import Foundation

extension SnapshotVerifier {
    /// `verify --deep` of a shard snapshot: the create-time fingerprint replayed on the shard
    /// loaded in staging (`absent` for archives without one: Qdrant's, older qdb's).
    static func replayShardFingerprint(_ meta: ArchiveMetadata, on shard: Shard, report: inout VerifyReport) {
        guard let fingerprint = meta.fingerprint else {
            report.fingerprint = "absent"
            return
        }
        let divergence = fingerprint.replay(on: shard)
        report.fingerprint = divergence.isEmpty ? "match" : "mismatch"
        report.divergence = divergence.isEmpty ? nil : divergence
    }

    /// `verify --deep` of a full-storage snapshot: every collection archive its `config.json`
    /// maps is deep-verified in turn (restored in a throwaway directory, counts checked, its own
    /// create-time fingerprint replayed), and the points they load are summed. The report's
    /// `fingerprint` is `match` when every collection's matches, `mismatch` when one diverges
    /// (its probes in `divergence`, with the collection named), `absent` when none has one.
    /// A nested archive that is not a collection snapshot is refused, a nested full snapshot
    /// before it is loaded (no recursion).
    static func nestedPoints(_ staging: String, report: inout VerifyReport) throws -> Int {
        let config = try SnapshotError.decodeEntry(FullSnapshotConfig.self, at: staging + "/config.json", entry: "config.json")
        let scratch = (staging as NSString).deletingLastPathComponent
        var points = 0
        var states: Set<String> = []
        for (collection, entry) in config.collections_mapping.sorted(by: { $0.key < $1.key }) {
            guard SnapshotManifest.isSafeName(entry), FileIO.exists(staging + "/" + entry) else {
                throw SnapshotError(.corrupt, "full snapshot config.json maps collection \(collection) to \(entry), which the archive does not hold")
            }
            let nested = verify(
                try FileDescriptorSource(path: staging + "/" + entry), name: entry, expectedChecksum: nil, deep: true,
                scratch: scratch, nested: true)
            if let d = nested.divergence {
                report.divergence = (report.divergence ?? []) + d.map { var d = $0; d.collection = collection; return d }
            }
            // A diverging fingerprint is reported with the others once the checksums are in;
            // anything else wrong with the nested archive stops here.
            guard nested.ok || (nested.fingerprint == "mismatch" && nested.divergence != nil) else {
                throw SnapshotError(.corrupt, "collection \(collection) of the full snapshot (\(entry)): \(nested.error ?? "failed verification")")
            }
            guard nested.kind == ArchiveMetadata.Kind.collection.rawValue else {
                throw SnapshotError(.corrupt, "\(entry) in the full snapshot is a \(nested.kind ?? "unknown") snapshot, not a collection snapshot")
            }
            states.insert(nested.fingerprint ?? "absent")
            points += nested.loaded_points ?? 0
        }
        report.fingerprint = states.contains("mismatch") ? "mismatch" : states.contains("match") ? "match" : "absent"
        return points
    }
}
