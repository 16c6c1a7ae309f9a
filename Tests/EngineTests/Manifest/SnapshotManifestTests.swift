import Foundation
import Testing
@testable import Engine

@Suite struct SnapshotManifestTests {
    func seg(_ id: String, _ version: UInt64, _ files: [String: (UInt64?, String?)]) -> SegmentManifest {
        SegmentManifest(
            segment_id: id, segment_version: version, file_versions: files.mapValues(\.0),
            file_sha256: files.compactMapValues(\.1), file_sizes: files.mapValues { _ in 10 })
    }

    let h1 = String(repeating: "a", count: 64)
    let h2 = String(repeating: "b", count: 64)

    @Test func parsesQdrantsFormWithNullVersions() throws {
        let json = #"{"s1":{"segment_id":"s1","segment_version":7,"file_versions":{"a.bin":3,"b.bin":null}}}"#
        let m = try SnapshotManifest.parse(Array(json.utf8))
        #expect(m.segments["s1"]?.version(of: "a.bin") == 3)
        #expect(m.segments["s1"]?.version(of: "b.bin") == 7)  // null: the segment's version
        #expect(m.versionsKnown)
        #expect(try SnapshotManifest.parse(Array("{}".utf8)).isEmpty)
        // Encoding round-trips as the same plain map, nulls included.
        let again = try SnapshotManifest.parse(try m.json())
        #expect(again == m)
        #expect(String(decoding: try m.json(), as: UTF8.self).contains("\"b.bin\" : null"))
    }

    @Test func rejectsBadManifests() throws {
        let bad = [
            "{not json",
            "[1,2]",
            #"{"s1":{"segment_id":"other","segment_version":1,"file_versions":{}}}"#,
            #"{"s1":{"segment_id":"s1","segment_version":1,"file_versions":{"x":2}}}"#,  // file newer than segment
            #"{"s1":{"segment_id":"s1","segment_version":1,"file_versions":{"../x":1}}}"#,
            #"{"..":{"segment_id":"..","segment_version":1,"file_versions":{}}}"#,
            #"{"s1":{"segment_id":"s1","segment_version":1,"file_versions":{"/etc/passwd":1}}}"#,
            #"{"s1":{"segment_id":"s1","segment_version":"x","file_versions":{}}}"#,
            #"{"s1":{"segment_id":"s1","segment_version":1,"file_versions":{"a":1},"file_sha256":{"a":"zz"}}}"#,
        ]
        for text in bad {
            #expect(throws: SnapshotError.self, "\(text)") { try SnapshotManifest.parse(Array(text.utf8)) }
        }
    }

    @Test func seedSimpleFormComparesByHash() throws {
        let json = """
            {"files":[{"path":"segments/s1/a.bin","hash":"\(h1)"},{"path":"segment_1.dat","hash":"abc123"}]}
            """
        let theirs = try SnapshotManifest.parse(Array(json.utf8))
        #expect(!theirs.versionsKnown)
        #expect(Set(theirs.segments.keys) == ["s1"])  // the seed's made-up path names no segment
        var current = SnapshotManifest()
        current.segments["s1"] = seg("s1", 5, ["a.bin": (5, h1), "b.bin": (5, h2)])
        #expect(PartialSnapshot.plan(current: current, theirs: theirs) == ["s1": ["b.bin"]])
        current.segments["s1"] = seg("s1", 5, ["a.bin": (5, h2)])
        #expect(PartialSnapshot.plan(current: current, theirs: theirs) == ["s1": ["a.bin"]])
    }

    @Test func planSendsMissingNewerAndDifferentFilesOnly() {
        var current = SnapshotManifest()
        current.segments["s1"] = seg("s1", 9, ["ids.bin": (4, h1), "deleted.bin": (9, h2)])
        current.segments["s2"] = seg("s2", 6, ["ids.bin": (6, h1)])
        var theirs = SnapshotManifest()
        theirs.segments["s1"] = seg("s1", 4, ["ids.bin": (4, h1), "deleted.bin": (0, h1)])
        #expect(PartialSnapshot.plan(current: current, theirs: theirs) == ["s1": ["deleted.bin"], "s2": ["ids.bin"]])
        // Identical: nothing to do.
        #expect(PartialSnapshot.plan(current: current, theirs: current).isEmpty)
        // Same versions but different contents: sent.
        var tampered = current
        tampered.segments["s2"]?.file_sha256?["ids.bin"] = h2
        #expect(PartialSnapshot.plan(current: current, theirs: tampered) == ["s2": ["ids.bin"]])
        // The requester has a segment this shard dropped: every segment's manifest goes, no files.
        var extra = current
        extra.segments["gone"] = seg("gone", 3, ["ids.bin": (3, h1)])
        #expect(PartialSnapshot.plan(current: current, theirs: extra) == ["s1": [], "s2": []])
    }

    @Test func equalContentsAreNotResentWhenOnlyTheSegmentVersionRose() {
        // A delete in a sealed segment raises its version, and with it the version of every
        // file Qdrant leaves unversioned (`null`); only the deletion bitset really changed.
        var current = SnapshotManifest()
        current.segments["s1"] = seg("s1", 9, ["id_tracker.versions": (nil, h1), "id_tracker.deleted": (nil, h2), "matrix.dat": (4, h1)])
        var theirs = SnapshotManifest()
        theirs.segments["s1"] = seg("s1", 4, ["id_tracker.versions": (nil, h1), "id_tracker.deleted": (nil, h1), "matrix.dat": (4, h1)])
        #expect(PartialSnapshot.plan(current: current, theirs: theirs) == ["s1": ["id_tracker.deleted"]])
        #expect(ManifestDiff(old: theirs, new: current).changed.map(\.path) == ["s1/id_tracker.deleted"])
        // A requester that sends no hashes (Qdrant, qdrant-edge) is answered by versions alone.
        var edge = theirs
        edge.segments["s1"]?.file_sha256 = nil
        #expect(PartialSnapshot.plan(current: current, theirs: edge) == ["s1": ["id_tracker.deleted", "id_tracker.versions"]])
        // Hashes on one side only: versions decide, too.
        var hashless = current
        hashless.segments["s1"]?.file_sha256 = nil
        #expect(PartialSnapshot.plan(current: hashless, theirs: theirs) == ["s1": ["id_tracker.deleted", "id_tracker.versions"]])
    }

    @Test func diffCountsAddedChangedRemovedAndBytes() {
        var old = SnapshotManifest()
        old.segments["s1"] = seg("s1", 4, ["ids.bin": (4, h1), "deleted.bin": (0, h1)])
        old.segments["s0"] = seg("s0", 2, ["ids.bin": (2, h1)])
        var new = SnapshotManifest()
        new.segments["s1"] = seg("s1", 9, ["ids.bin": (4, h1), "deleted.bin": (9, h2)])
        new.segments["s2"] = seg("s2", 6, ["ids.bin": (6, h1)])
        let d = ManifestDiff(old: old, new: new)
        #expect(d.added.map(\.path) == ["s2/ids.bin"])
        #expect(d.changed.map(\.path) == ["s1/deleted.bin"])
        #expect(d.removed.map(\.path) == ["s0/ids.bin"])
        #expect(d.bytes == 20)
        #expect(ManifestDiff(old: new, new: new).isEmpty)
    }
}
