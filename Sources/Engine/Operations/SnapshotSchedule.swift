import Foundation

/// One entry of `storage.snapshots_config.schedules`: what to snapshot (collections by name or
/// `*`, or the full storage), when (`every: 6h` or a 5-field UTC `cron`, plus up to `jitter`
/// of random delay), whether to deep-verify each new snapshot, and what to keep afterwards.
public struct SnapshotSchedule: Codable, Sendable, Equatable {
    public var name: String
    /// Collection names, or `["*"]` for every collection at run time.
    public var collections: [String]?
    /// Snapshot the whole storage (`full-snapshot-…`) instead of collections.
    public var full: Bool?
    public var every: String?
    public var cron: String?
    public var jitter: String?
    /// Deep-verify each snapshot after it is made and record the result beside it.
    public var verify: Bool?
    /// Prune each scope after a run (the same rules as `qdb prune`).
    public var keep: RetentionPolicy?
    /// Attempts after a failed run before waiting for the next slot (default 3).
    public var retries: Int?

    public init(name: String, collections: [String]? = nil, full: Bool? = nil, every: String? = nil, cron: String? = nil,
                jitter: String? = nil, verify: Bool? = nil, keep: RetentionPolicy? = nil, retries: Int? = nil) {
        (self.name, self.collections, self.full, self.every, self.cron, self.jitter, self.verify, self.keep, self.retries) =
            (name, collections, full, every, cron, jitter, verify, keep, retries)
    }

    /// Checks the entry; the message names the schedule and the field.
    public func validate() throws {
        func bad(_ m: String) -> OperationError { OperationError(.badInput, "schedule \(name): \(m)") }
        guard !name.isEmpty else { throw OperationError(.badInput, "a schedule needs a name") }
        switch (every, cron) {
        case (let e?, nil): guard let d = SnapshotSchedule.parseDuration(e), d > 0 else { throw bad("every `\(e)` is not a duration like 6h, 30m, 2s") }
        case (nil, let c?): _ = try CronExpression(c)
        default: throw bad("give exactly one of every (6h) or cron (\"0 3 * * *\")")
        }
        if let j = jitter, SnapshotSchedule.parseDuration(j) == nil { throw bad("jitter `\(j)` is not a duration") }
        let names = collections ?? []
        if full == true { guard names.isEmpty else { throw bad("full and collections exclude each other") } }
        else if names.isEmpty { throw bad("name the collections (or \"*\"), or set full: true") }
        if let r = retries, !(0...100).contains(r) { throw bad("retries must be 0…100") }
        if let keep {
            do { try keep.validate() } catch let e as OperationError { throw bad(e.message) }
            if keep.isEmpty { throw bad("keep has no rule (keep_last, keep_daily, …)") }
        }
    }

    /// `1h30m`, `2s`, `500ms`, `1d`: seconds, or nil.
    public static func parseDuration(_ s: String) -> Double? {
        var total = 0.0
        var digits = ""
        var unit = ""
        var parts = 0
        func flush() -> Bool {
            guard let n = Double(digits) else { return false }
            let scale: Double? = ["ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400][unit]
            guard let scale else { return false }
            total += n * scale
            parts += 1
            digits = ""
            unit = ""
            return true
        }
        for ch in s.trimmingCharacters(in: .whitespaces) {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty, !flush() { return nil }
                digits.append(ch)
            } else if ch.isLetter, !digits.isEmpty {
                unit.append(ch)
            } else {
                return nil
            }
        }
        if !digits.isEmpty, !flush() { return nil }
        return parts > 0 ? total : nil
    }

    /// The next start after `last` (or `now` for the first run), before jitter.
    public func nextRun(after last: Date?, now: Date) throws -> Date {
        if let every, let seconds = SnapshotSchedule.parseDuration(every) {
            guard let last else { return now }
            return max(now, last.addingTimeInterval(seconds))
        }
        guard let cron, let next = try CronExpression(cron).next(after: now) else {
            throw OperationError(.badInput, "schedule \(name): cron `\(cron ?? "")` never matches")
        }
        return next
    }
}

/// A 5-field cron expression (minute hour day-of-month month day-of-week, UTC): `*`, `a-b`,
/// `*/n`, `a-b/n` and lists; day-of-week 0–7 with 0 and 7 Sunday. When both day fields are
/// restricted a day matching either runs, as in Vixie cron.
public struct CronExpression: Sendable, Equatable {
    let minutes, hours, days, months, weekdays: Set<Int>
    let daysRestricted, weekdaysRestricted: Bool

    public init(_ text: String) throws {
        let f = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard f.count == 5 else { throw OperationError(.badInput, "cron `\(text)` needs 5 fields: minute hour day month weekday") }
        minutes = try CronExpression.field(f[0], 0...59, text)
        hours = try CronExpression.field(f[1], 0...23, text)
        days = try CronExpression.field(f[2], 1...31, text)
        months = try CronExpression.field(f[3], 1...12, text)
        weekdays = Set(try CronExpression.field(f[4], 0...7, text).map { $0 % 7 })
        daysRestricted = f[2] != "*"
        weekdaysRestricted = f[4] != "*"
    }

    static func field(_ s: String, _ range: ClosedRange<Int>, _ text: String) throws -> Set<Int> {
        var out = Set<Int>()
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            let bits = part.split(separator: "/", omittingEmptySubsequences: false)
            guard bits.count <= 2, let base = bits.first else { throw OperationError(.badInput, "cron `\(text)`: bad field `\(s)`") }
            let step = bits.count == 2 ? Int(bits[1]) : 1
            var lo = range.lowerBound, hi = range.upperBound
            if base != "*" {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
                guard (1...2).contains(ends.count), let a = ends[0], let b = ends.count == 2 ? ends[1] : (bits.count == 2 ? range.upperBound : a)
                else { throw OperationError(.badInput, "cron `\(text)`: bad field `\(s)`") }
                (lo, hi) = (a, b)
            }
            guard let step, step > 0, range.contains(lo), range.contains(hi), lo <= hi else {
                throw OperationError(.badInput, "cron `\(text)`: field `\(s)` is outside \(range)")
            }
            out.formUnion(stride(from: lo, through: hi, by: step))
        }
        return out
    }

    /// The first whole minute after `date` that matches, searching up to four years ahead.
    public func next(after date: Date) -> Date? {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        var t = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        for _ in 0..<(4 * 366 * 24 * 60) {
            let x = c.dateComponents([.minute, .hour, .day, .month, .weekday], from: t)
            let dom = days.contains(x.day!), dow = weekdays.contains(x.weekday! - 1)
            let dayOK = daysRestricted && weekdaysRestricted ? (dom || dow) : (dom && dow)
            if months.contains(x.month!), dayOK, hours.contains(x.hour!), minutes.contains(x.minute!) { return t }
            // skip whole hours or days that cannot match
            if !months.contains(x.month!) || !dayOK {
                t = c.startOfDay(for: t).addingTimeInterval(86400)
            } else if !hours.contains(x.hour!) {
                t = Date(timeIntervalSince1970: (t.timeIntervalSince1970 / 3600).rounded(.down) * 3600 + 3600)
            } else {
                t = t.addingTimeInterval(60)
            }
        }
        return nil
    }
}
