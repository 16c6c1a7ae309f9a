import Foundation
import Testing
@testable import Engine

@Suite struct SnapshotScheduleTests {
    static func at(_ s: String) -> Date { utcMinute(s) }

    @Test func durations() {
        #expect(SnapshotSchedule.parseDuration("6h") == 21600)
        #expect(SnapshotSchedule.parseDuration("1h30m") == 5400)
        #expect(SnapshotSchedule.parseDuration("2s") == 2)
        #expect(SnapshotSchedule.parseDuration("500ms") == 0.5)
        #expect(SnapshotSchedule.parseDuration("1d") == 86400)
        for bad in ["", "h", "6", "6x", "-1h", "1 h"] { #expect(SnapshotSchedule.parseDuration(bad) == nil) }
    }

    @Test func cronNextRuns() throws {
        let daily = try CronExpression("0 3 * * *")
        #expect(daily.next(after: Self.at("2026-05-01 02:59")) == Self.at("2026-05-01 03:00"))
        #expect(daily.next(after: Self.at("2026-05-01 03:00")) == Self.at("2026-05-02 03:00"))
        let quarter = try CronExpression("*/15 9-17 * * 1-5")
        #expect(quarter.next(after: Self.at("2026-05-01 17:50")) == Self.at("2026-05-04 09:00"))  // Friday → Monday
        #expect(quarter.next(after: Self.at("2026-05-04 09:07")) == Self.at("2026-05-04 09:15"))
        let sunday = try CronExpression("30 1 * * 7")
        #expect(sunday.next(after: Self.at("2026-05-01 00:00")) == Self.at("2026-05-03 01:30"))
        // both day fields restricted: either matches (the 1st, or a Monday)
        let either = try CronExpression("0 0 1 * 1")
        #expect(either.next(after: Self.at("2026-05-01 00:00")) == Self.at("2026-05-04 00:00"))
        #expect(try CronExpression("0 0 29 2 *").next(after: Self.at("2026-03-01 00:00")) == Self.at("2028-02-29 00:00"))
        for bad in ["* * * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "a * * * *", "5-1 * * * *"] {
            #expect(throws: OperationError.self) { try CronExpression(bad) }
        }
    }

    @Test func everyRunsAtOnceThenAfterTheInterval() throws {
        let s = SnapshotSchedule(name: "s", collections: ["*"], every: "6h")
        let now = Self.at("2026-05-01 12:00")
        #expect(try s.nextRun(after: nil, now: now) == now)
        #expect(try s.nextRun(after: Self.at("2026-05-01 10:00"), now: now) == Self.at("2026-05-01 16:00"))
        // a run that took longer than the interval: the missed slot is not queued
        #expect(try s.nextRun(after: Self.at("2026-05-01 01:00"), now: now) == now)
    }

    @Test func validation() {
        #expect(throws: OperationError.self) { try SnapshotSchedule(name: "a", collections: ["*"]).validate() }
        #expect(throws: OperationError.self) { try SnapshotSchedule(name: "a", collections: ["c"], every: "1h", cron: "* * * * *").validate() }
        #expect(throws: OperationError.self) { try SnapshotSchedule(name: "a", collections: ["c"], full: true, every: "1h").validate() }
        #expect(throws: OperationError.self) { try SnapshotSchedule(name: "a", every: "1h").validate() }
        #expect(throws: OperationError.self) { try SnapshotSchedule(name: "a", collections: ["c"], every: "1h", keep: RetentionPolicy()).validate() }
        #expect(throws: Never.self) { try SnapshotSchedule(name: "a", full: true, cron: "0 3 * * *", jitter: "5m", keep: RetentionPolicy(daily: 7)).validate() }
    }
}
