import Foundation
import Testing
@testable import Engine

/// `yyyy-MM-dd HH:mm` in UTC (the retention and schedule tests' dates).
func utcMinute(_ s: String) -> Date {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd HH:mm"
    return f.date(from: s)!
}

@Suite struct RetentionPolicyTests {
    static func at(_ s: String) -> Date { utcMinute(s) }

    /// A hand-made week of snapshots and what restic's rules keep of it (worked out by hand).
    static let week = [
        "2026-03-09 10:00", "2026-03-09 18:00",  // Monday (ISO week 11)
        "2026-03-10 09:00", "2026-03-10 09:30",  // Tuesday, two in one hour
        "2026-03-14 23:00",  // Saturday
        "2026-03-16 08:00",  // Monday, ISO week 12
        "2026-04-01 12:00",  // April
    ]

    func decide(_ policy: RetentionPolicy) -> [String: [String]] {
        let candidates = Self.week.map { RetentionCandidate(name: $0, time: Self.at($0)) }
        return Dictionary(uniqueKeysWithValues: policy.decide(candidates, scope: "c").map { ($0.name, $0.reasons) })
    }

    @Test func keepLastKeepsTheNewest() {
        let d = decide(RetentionPolicy(last: 2))
        #expect(d.filter { !$0.value.isEmpty }.keys.sorted() == ["2026-03-16 08:00", "2026-04-01 12:00"])
    }

    @Test func dailyKeepsTheNewestOfEachDay() {
        let d = decide(RetentionPolicy(daily: 4))
        #expect(d.filter { !$0.value.isEmpty }.keys.sorted() == ["2026-03-10 09:30", "2026-03-14 23:00", "2026-03-16 08:00", "2026-04-01 12:00"])
    }

    @Test func weeklyUsesIsoWeeksAndMonthlyCalendarMonths() {
        let w = decide(RetentionPolicy(weekly: 3))
        #expect(w.filter { !$0.value.isEmpty }.keys.sorted() == ["2026-03-14 23:00", "2026-03-16 08:00", "2026-04-01 12:00"])
        let m = decide(RetentionPolicy(monthly: 5))
        #expect(m.filter { !$0.value.isEmpty }.keys.sorted() == ["2026-03-16 08:00", "2026-04-01 12:00"])
    }

    @Test func reasonsAccumulateAndWithinCountsFromTheNewest() {
        let d = decide(RetentionPolicy(last: 1, hourly: 2, within: "17d"))
        #expect(d["2026-04-01 12:00"] == ["last", "hourly", "within"])
        #expect(d["2026-03-16 08:00"] == ["hourly", "within"])
        #expect(d["2026-03-14 23:00"] == [])  // 17.5 days before the newest
    }

    @Test func newestVerifiedIsKeptWhenNoRuleKeepsIt() {
        var candidates = Self.week.map { RetentionCandidate(name: $0, time: Self.at($0)) }
        candidates[1].verified = true
        candidates[0].verified = true
        let d = RetentionPolicy(last: 1).decide(candidates, scope: "c")
        #expect(d.filter(\.keep).map(\.name).sorted() == ["2026-03-09 18:00", "2026-04-01 12:00"])
        #expect(d.first { $0.name == "2026-03-09 18:00" }?.reasons == ["newest-verified"])
    }

    @Test func withinParsesResticDurations() throws {
        #expect(try RetentionPolicy.parseWithin("1y2m3d4h") == (1, 2, 3, 4))
        #expect(try RetentionPolicy.parseWithin("36h") == (0, 0, 0, 36))
        for bad in ["", "3", "3x", "1d1d", "d"] {
            #expect(throws: OperationError.self) { try RetentionPolicy.parseWithin(bad) }
        }
    }

    @Test func timesComeFromQdrantNames() {
        let d = SnapshotDescription(name: "my-coll-123-2025-01-02-03-04-05.snapshot", creation_time: nil, size: 1, checksum: nil)
        #expect(Pruner.time(of: d) == Self.at("2025-01-02 03:04").addingTimeInterval(5))
        let dup = SnapshotDescription(name: "c-shard-0-2025-01-02-03-04-05-2.snapshot", creation_time: nil, size: 1, checksum: nil)
        #expect(Pruner.time(of: dup) == Self.at("2025-01-02 03:04").addingTimeInterval(5))
        let other = SnapshotDescription(name: "mine.snapshot", creation_time: "2025-06-07T08:09:00", size: 1, checksum: nil)
        #expect(Pruner.time(of: other) == Self.at("2025-06-07 08:09"))
    }
}

@Suite struct PrunerTests {
    /// A target whose snapshots vanish between the listing and the delete (a concurrent delete).
    final class Racing: PruneTarget {
        var deleted: [String] = []
        let names = (1...4).map { "c-1-2026-01-0\($0)-00-00-00.snapshot" }
        func scopes() throws -> [SnapshotScope] { [.collection("c")] }
        func list(_ scope: SnapshotScope) throws -> [SnapshotDescription] {
            names.map { SnapshotDescription(name: $0, creation_time: nil, size: 1, checksum: nil) }
        }
        func delete(_ scope: SnapshotScope, name: String) throws {
            if name == names[0] { throw SnapshotError.notFound(name) }
            deleted.append(name)
        }
        func isVerified(_ scope: SnapshotScope, name: String) -> Bool { false }
    }

    @Test func aConcurrentDeleteDoesNotStopThePrune() throws {
        let target = Racing()
        let decisions = try Pruner(target: target, policy: RetentionPolicy(last: 1)).run(dryRun: false)
        #expect(target.deleted.sorted() == [target.names[1], target.names[2]])
        #expect(decisions.first { $0.name == target.names[0] }?.reasons == ["already-removed"])
        #expect(decisions.filter(\.removed).count == 2)
    }

    @Test func anEmptyPolicyIsRefused() {
        #expect(throws: OperationError.self) { try Pruner(target: Racing(), policy: RetentionPolicy()) }
    }
}
