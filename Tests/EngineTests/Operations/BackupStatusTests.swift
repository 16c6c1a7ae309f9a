import Foundation
import Logging
import Testing
@testable import Engine

/// `BackupStatus`: verified flags from the records beside snapshots, staleness against the
/// schedules' promised interval, and the next prune's dry-run decision (which deletes nothing).
@Suite struct BackupStatusTests {
    let dir = NSTemporaryDirectory() + "qdb-backup-status-\(UUID().uuidString)"
    /// 2026-03-01 12:00:00 UTC
    let noon = Date(timeIntervalSince1970: 1_772_366_400)

    func service(_ schedules: [SnapshotSchedule]) throws -> SnapshotService {
        let storage = try Storage.open(StorageOptions(path: dir + "/storage"), logger: Logger(label: "test"))
        let s = SnapshotService(storage: storage, store: LocalSnapshotStore(root: dir + "/snapshots"))
        s.schedules.register(schedules)
        return s
    }

    /// A stored snapshot of `c` named for `time`, with a checksum sidecar, optionally verified.
    func snapshot(_ c: String, at time: Date, verified: Bool) throws -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd-HH-mm-ss"
        let name = "\(c)-1-\(f.string(from: time)).snapshot"
        let path = dir + "/snapshots/\(c)/\(name)"
        try FileManager.default.createDirectory(atPath: dir + "/snapshots/\(c)", withIntermediateDirectories: true)
        let bytes = Array("archive \(name)".utf8)
        try Segment.writeFile(path, bytes)
        let sum = SHA256Hasher.hexDigest(of: bytes)
        try Segment.writeFile(path + ".checksum", Array(sum.utf8))
        if verified { try VerificationRecord(ok: true, deep: true, sha256: sum, error: nil).write(beside: path) }
        return name
    }

    @Test func newestVerifiedAgainstTheSchedulesInterval() throws {
        let s = try service([SnapshotSchedule(name: "hourly", collections: ["a"], every: "1h")])
        let old = try snapshot("a", at: noon.addingTimeInterval(-3 * 3600), verified: true)
        let new = try snapshot("a", at: noon.addingTimeInterval(-600), verified: false)
        _ = try snapshot("b", at: noon.addingTimeInterval(-600), verified: false)

        let st = BackupStatus.read(service: s, collections: ["a", "b", "c"], now: noon)
        #expect(st.store == "local")
        let a = try #require(st.collections.first { $0.name == "a" })
        #expect(a.snapshots.map(\.name) == [new, old])
        #expect(a.snapshots.map(\.verified) == [false, true])
        #expect(a.snapshots[0].checksum?.count == 64)
        #expect(a.promised_interval_s == 3600 && a.newest_verified_age_s == 3 * 3600)
        #expect(a.stale)  // three hours since the newest verified one, promised hourly
        // within two intervals it is fresh
        let fresh = BackupStatus.read(service: s, collections: ["a"], now: noon.addingTimeInterval(-3600 - 60))
        #expect(fresh.collections[0].stale == false)
        // no verified snapshot at all is stale even without a schedule; no snapshots lists empty
        let b = try #require(st.collections.first { $0.name == "b" })
        #expect(b.stale && b.newest_verified_age_s == nil && b.promised_interval_s == nil)
        let c = try #require(st.collections.first { $0.name == "c" })
        #expect(c.snapshots.isEmpty && c.stale && c.error == nil)
    }

    @Test func nextPruneIsADryRunOfTheSchedulesPolicy() throws {
        let s = try service([
            SnapshotSchedule(name: "nightly", collections: ["*"], cron: "0 3 * * *", keep: RetentionPolicy(last: 1)),
            SnapshotSchedule(name: "plain", collections: ["a"], every: "1d"),
        ])
        let older = try snapshot("a", at: noon.addingTimeInterval(-7200), verified: false)
        let newer = try snapshot("a", at: noon.addingTimeInterval(-60), verified: false)
        let st = BackupStatus.read(service: s, collections: ["a"], now: noon)
        #expect(st.collections[0].promised_interval_s == 86400)
        let nightly = try #require(st.schedules.first { $0.schedule == "nightly" })
        #expect(nightly.error == nil)
        #expect(nightly.decisions.filter { !$0.keep }.map(\.name) == [older])
        #expect(nightly.decisions.filter(\.keep).map(\.name) == [newer])
        #expect(nightly.decisions.allSatisfy { !$0.removed })
        #expect(try s.store.list(.collection("a")).count == 2)  // nothing deleted
        #expect(st.schedules.first { $0.schedule == "plain" }?.decisions == [])
    }

    @Test func coversAndInterval() {
        let all = SnapshotSchedule(name: "x", collections: ["*"], every: "30m")
        #expect(all.covers("anything") && all.interval(now: noon) == 1800)
        #expect(!SnapshotSchedule(name: "f", full: true, every: "1h").covers("a"))
        #expect(!SnapshotSchedule(name: "o", collections: ["b"], every: "1h").covers("a"))
        #expect(SnapshotSchedule(name: "w", collections: ["a"], cron: "0 0 * * 1").interval(now: noon) == 7 * 86400.0)
    }
}
