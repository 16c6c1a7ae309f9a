import Foundation

/// Which snapshots to keep, in restic's terms (`restic forget --keep-*`): the newest `last`
/// snapshots; the newest snapshot of each of the newest `hourly` hours (`daily` days, ISO
/// `weekly` weeks, `monthly` months, `yearly` years) that have one; and every snapshot made
/// within `within` of the newest. Buckets are UTC. A snapshot is kept when any rule keeps it.
public struct RetentionPolicy: Codable, Sendable, Equatable {
    public var last: Int?
    public var hourly: Int?
    public var daily: Int?
    public var weekly: Int?
    public var monthly: Int?
    public var yearly: Int?
    /// restic's duration form: `1y2m3d4h` (years, months, days, hours).
    public var within: String?

    public init(last: Int? = nil, hourly: Int? = nil, daily: Int? = nil, weekly: Int? = nil,
                monthly: Int? = nil, yearly: Int? = nil, within: String? = nil) {
        (self.last, self.hourly, self.daily, self.weekly, self.monthly, self.yearly, self.within) =
            (last, hourly, daily, weekly, monthly, yearly, within)
    }

    enum CodingKeys: String, CodingKey {
        case last = "keep_last", hourly = "keep_hourly", daily = "keep_daily", weekly = "keep_weekly"
        case monthly = "keep_monthly", yearly = "keep_yearly", within = "keep_within"
    }

    /// Whether any rule is set (an empty policy would remove everything, so it is refused).
    public var isEmpty: Bool {
        [last, hourly, daily, weekly, monthly, yearly].allSatisfy { $0 == nil } && within == nil
    }

    /// Checks counts (≥ 0; restic's -1, "unlimited", is accepted too) and the `within` form.
    public func validate() throws {
        for (name, v) in [("keep-last", last), ("keep-hourly", hourly), ("keep-daily", daily), ("keep-weekly", weekly),
                          ("keep-monthly", monthly), ("keep-yearly", yearly)] {
            if let v, v < -1 { throw OperationError(.badInput, "--\(name) must be a count ≥ 0 (or -1 for all), got \(v)") }
        }
        if let within { _ = try RetentionPolicy.parseWithin(within) }
    }

    /// `1y2m3d4h` → (years, months, days, hours); each part optional, in any order, at least one.
    public static func parseWithin(_ s: String) throws -> (years: Int, months: Int, days: Int, hours: Int) {
        var parts: [Character: Int] = [:]
        var digits = ""
        for ch in s {
            if ch.isASCII, ch.isNumber { digits.append(ch); continue }
            guard "ymdh".contains(ch), let n = Int(digits), parts[ch] == nil else {
                throw OperationError(.badInput, "keep-within \(s) is not a duration like 1y2m3d4h (years, months, days, hours)")
            }
            parts[ch] = n
            digits = ""
        }
        guard digits.isEmpty, !parts.isEmpty else {
            throw OperationError(.badInput, "keep-within \(s) is not a duration like 1y2m3d4h (years, months, days, hours)")
        }
        return (parts["y"] ?? 0, parts["m"] ?? 0, parts["d"] ?? 0, parts["h"] ?? 0)
    }
}

/// One snapshot as retention sees it.
public struct RetentionCandidate: Sendable, Equatable {
    public var name: String
    public var time: Date
    /// Whether a passing verification is recorded beside it.
    public var verified: Bool

    public init(name: String, time: Date, verified: Bool = false) {
        self.name = name
        self.time = time
        self.verified = verified
    }
}

/// The decision for one snapshot: keep or remove, and every rule that kept it.
public struct PruneDecision: Codable, Sendable, Equatable {
    public var scope: String
    public var name: String
    public var created_at: String
    public var verified: Bool
    public var keep: Bool
    /// The rules that keep it (`last`, `hourly`, …, `within`, `newest-verified`); empty when removed
    /// (`already-removed` when something else deleted it between the listing and the delete).
    public var reasons: [String]
    /// Whether it was actually deleted (false in a dry run, or when the delete failed).
    public var removed: Bool = false
}

extension RetentionPolicy {
    /// Decides every candidate of one scope, newest first (restic's `ApplyPolicy`): each rule with
    /// count left keeps a snapshot whose bucket differs from the last bucket that rule kept. When
    /// the newest verified snapshot would go, it is kept as `newest-verified`.
    public func decide(_ candidates: [RetentionCandidate], scope: String) -> [PruneDecision] {
        let sorted = candidates.sorted { $0.time != $1.time ? $0.time > $1.time : $0.name > $1.name }
        var utc = Calendar(identifier: .iso8601)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let c = utc
        typealias Bucket = (Int, Date) -> Int
        let buckets: [(String, Int?, Bucket)] = [
            ("last", last, { i, _ in i }),  // every snapshot is its own bucket
            ("hourly", hourly, { _, d in let x = c.dateComponents([.year, .month, .day, .hour], from: d); return ((x.year! * 100 + x.month!) * 100 + x.day!) * 100 + x.hour! }),
            ("daily", daily, { _, d in let x = c.dateComponents([.year, .month, .day], from: d); return (x.year! * 100 + x.month!) * 100 + x.day! }),
            ("weekly", weekly, { _, d in let x = c.dateComponents([.yearForWeekOfYear, .weekOfYear], from: d); return x.yearForWeekOfYear! * 100 + x.weekOfYear! }),
            ("monthly", monthly, { _, d in let x = c.dateComponents([.year, .month], from: d); return x.year! * 100 + x.month! }),
            ("yearly", yearly, { _, d in c.component(.year, from: d) }),
        ]
        var remaining = buckets.map { $0.1 ?? 0 }
        var lastBucket = [Int?](repeating: nil, count: buckets.count)
        var withinLimit: Date?
        if let within, let w = try? RetentionPolicy.parseWithin(within), let newest = sorted.first?.time {
            // restic's newest.AddDate(-y, -m, -d).Add(-h): the date is normalised as Go does
            // (March 31 minus a month is March 3), not clamped to the month's end
            var x = c.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: newest)
            x.year! -= w.years
            x.month! -= w.months
            x.day! -= w.days
            withinLimit = c.date(from: x).map { $0.addingTimeInterval(-3600 * Double(w.hours)) }
        }
        var out: [PruneDecision] = []
        for (n, snap) in sorted.enumerated() {
            var reasons: [String] = []
            for (i, rule) in buckets.enumerated() where remaining[i] != 0 {
                let b = rule.2(n, snap.time)
                if b != lastBucket[i] {
                    reasons.append(rule.0)
                    lastBucket[i] = b
                    if remaining[i] > 0 { remaining[i] -= 1 }
                }
            }
            if let withinLimit, snap.time > withinLimit { reasons.append("within") }
            out.append(PruneDecision(scope: scope, name: snap.name, created_at: OperationInfo.timestamp(snap.time),
                                     verified: snap.verified, keep: !reasons.isEmpty, reasons: reasons))
        }
        if let i = out.firstIndex(where: { $0.verified }), !out[i].keep {
            out[i].keep = true
            out[i].reasons = ["newest-verified"]
        }
        return out
    }
}
