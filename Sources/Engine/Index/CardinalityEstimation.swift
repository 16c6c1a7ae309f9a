/// How many points a filter selects, as Qdrant estimates it before it chooses between scoring
/// the filtered points exactly and walking the graph (`lib/segment/src/index/field_index/mod.rs`
/// `CardinalityEstimation`, `lib/segment/src/index/query_estimator.rs`): the fewest points it
/// can select (`min`), the expected number when values are spread evenly (`exp`), the most it
/// can select (`max`), and the conditions whose index postings hold every selected point
/// (`primary`; empty when no index can list them, and the filter must be checked on every point).
struct CardinalityEstimation: Sendable, Equatable {
    var primary: [PrimaryClause] = []
    var min: Int
    var exp: Int
    var max: Int

    /// Exactly `count` points.
    static func exact(_ count: Int) -> CardinalityEstimation { CardinalityEstimation(min: count, exp: count, max: count) }

    /// A condition no index answers: anything from none to all of `total`, half expected.
    static func unknown(_ total: Int) -> CardinalityEstimation { CardinalityEstimation(min: 0, exp: total / 2, max: total) }

    func with(_ clause: PrimaryClause) -> CardinalityEstimation {
        var e = self
        e.primary.append(clause)
        return e
    }
}

/// A condition whose points an index can list (Qdrant's `PrimaryCondition`).
enum PrimaryClause: Sendable, Equatable {
    /// A field condition on an indexed field (`key` already the full path inside nested filters).
    case field(FieldCondition)
    /// `has_id`, resolved to this segment's offsets.
    case ids([Int])
    /// `has_vector` (Qdrant lists no points for it either: a scan follows).
    case hasVector(Int)
    /// `is_empty` / `is_null` answered by the null index (no postings kept: a scan follows).
    case nullIndex(FieldCondition)
}

/// Qdrant's estimate combinators (`query_estimator.rs`), over `total` available points.
enum CardinalityEstimator {
    /// `must`: every condition holds (`combine_must_estimations`). The fewest is what all the
    /// minimums must overlap in; the most, the smallest maximum; the expected count assumes
    /// independence. The primary clauses are those of the condition expected to select fewest.
    static func must(_ e: [CardinalityEstimation], total: Int) -> CardinalityEstimation {
        let lo = e.reduce(total) { acc, x in Swift.max(0, acc + x.min - total) }
        let hi = e.map(\.max).min() ?? total
        // Qdrant divides by a zero total too; its NaN becomes 0 points.
        let p = total == 0 ? 0 : e.reduce(1.0) { $0 * (Double($1.exp) / Double(total)) }
        let primary = e.filter { !$0.primary.isEmpty }.min { $0.exp < $1.exp }?.primary ?? []
        return CardinalityEstimation(primary: primary, min: lo, exp: Int((p * Double(total)).rounded()), max: hi)
    }

    /// `should`: at least one holds (`combine_should_estimations`, the complement rule for the
    /// expected count). Primary clauses only when every branch has some.
    static func should(_ e: [CardinalityEstimation], total: Int) -> CardinalityEstimation {
        var primary: [PrimaryClause] = []
        for x in e {
            guard !x.primary.isEmpty else {
                primary = []
                break
            }
            primary += x.primary
        }
        return CardinalityEstimation(
            primary: primary, min: e.map(\.min).max() ?? 0, exp: expectedShould(e.map(\.exp), total: total),
            max: Swift.min(e.reduce(0) { $0 + $1.max }, total))
    }

    /// `(1 - ∏(1 - xᵢ/total)) · total`, rounded (`expected_should_estimation`).
    static func expectedShould(_ counts: [Int], total: Int) -> Int {
        guard total > 0 else { return 0 }
        let miss = counts.reduce(1.0) { $0 * (1 - Double($1) / Double(total)) }
        return Int(((1 - miss) * Double(total)).rounded())
    }

    /// `min_should`: at least `minCount` hold — the union of the intersections of every
    /// `minCount`-subset (`combine_min_should_estimations`); none when `minCount` exceeds the
    /// conditions. Subsets are enumerated as Qdrant does (`itertools::combinations`), unless
    /// there are more than `maxSubsets` of them (a request could name thousands of conditions):
    /// then the estimate is `unknown`, where Qdrant would enumerate them all.
    static func minShould(_ e: [CardinalityEstimation], minCount rawCount: Int, total: Int) -> CardinalityEstimation {
        let minCount = Swift.max(0, rawCount)
        guard minCount <= e.count else { return .exact(0) }
        guard subsets(e.count, minCount) <= maxSubsets else { return .unknown(total) }
        var groups: [CardinalityEstimation] = []
        var pick: [Int] = Array(0..<minCount)
        while true {
            groups.append(must(pick.map { e[$0] }, total: total))
            // Next combination in lexicographic order.
            var i = minCount - 1
            while i >= 0, pick[i] == e.count - minCount + i { i -= 1 }
            guard i >= 0 else { break }
            pick[i] += 1
            for j in (i + 1)..<minCount { pick[j] = pick[j - 1] + 1 }
        }
        return should(groups, total: total)
    }

    static let maxSubsets = 4096

    /// `n` choose `k`, saturating past `maxSubsets`.
    static func subsets(_ n: Int, _ k: Int) -> Int {
        var c = 1
        for i in 0..<Swift.min(k, n - k) {
            c = c * (n - i) / (i + 1)
            if c > maxSubsets { return maxSubsets + 1 }
        }
        return c
    }

    /// The complement of `e` among `total` points (`invert_estimation`); no primary clauses.
    static func invert(_ e: CardinalityEstimation, total: Int) -> CardinalityEstimation {
        CardinalityEstimation(min: Swift.max(0, total - e.max), exp: Swift.max(0, total - e.exp), max: Swift.max(0, total - e.min))
    }

    /// `e` among the points that have the searched vector, assuming the missing vectors are not
    /// correlated with the filter (`adjust_to_available_vectors`).
    static func adjust(_ e: CardinalityEstimation, availableVectors: Int, availablePoints: Int) -> CardinalityEstimation {
        guard availablePoints > 0, availableVectors > 0 else { return CardinalityEstimation(primary: e.primary, min: 0, exp: 0, max: 0) }
        let missing = Swift.max(0, availablePoints - availableVectors)
        let share = Swift.min(1, Double(availableVectors) / Double(availablePoints))
        return CardinalityEstimation(
            primary: e.primary, min: Swift.max(0, e.min - missing), exp: Int((Double(e.exp) * share).rounded()),
            max: Swift.min(e.max, availableVectors, availablePoints))
    }

    /// The estimate of `filter` (`estimate_filter`): its `must`, `should`, `min_should` and
    /// `must_not` clauses, each combined as above, then combined as a `must`. `condition`
    /// estimates one leaf condition (field, `is_empty`, `is_null`, `has_id`, `has_vector`,
    /// `nested`); nested `filter` conditions recurse here.
    static func estimate(_ filter: Filter, total: Int, condition: (Condition) -> CardinalityEstimation) -> CardinalityEstimation {
        func one(_ c: Condition) -> CardinalityEstimation {
            if case .filter(let f) = c { return estimate(f, total: total, condition: condition) }
            return condition(c)
        }
        var parts: [CardinalityEstimation] = []
        if !filter.must.isEmpty { parts.append(must(filter.must.map(one), total: total)) }
        if !filter.should.isEmpty { parts.append(should(filter.should.map(one), total: total)) }
        if let m = filter.minShould { parts.append(minShould(m.conditions.map(one), minCount: m.minCount, total: total)) }
        if !filter.mustNot.isEmpty { parts.append(must(filter.mustNot.map { invert(one($0), total: total) }, total: total)) }
        return must(parts, total: total)
    }
}
