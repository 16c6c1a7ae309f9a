import Foundation
import Testing
@testable import Engine

/// The estimate combinators against Qdrant's own cases (`query_estimator.rs` tests: 1000 points,
/// `color` 100–200–300, `size` exactly 100, `price` 10–15–20, anything else unindexed), with the
/// numbers worked out by hand from Qdrant's formulas.
@Suite struct CardinalityEstimationTests {
    static let total = 1000

    static func cond(_ key: String) -> Condition { .field(FieldCondition(key: key, match: .value(.string("x")))) }

    /// Qdrant's `test_estimator`.
    static func estimator(_ c: Condition) -> CardinalityEstimation {
        switch c {
        case .field(let f):
            switch f.key.description {
            case "color": return CardinalityEstimation(min: 100, exp: 200, max: 300).with(.field(f))
            case "size": return CardinalityEstimation(min: 100, exp: 100, max: 100).with(.field(f))
            case "price": return CardinalityEstimation(min: 10, exp: 15, max: 20).with(.field(f))
            default: return .unknown(total)
            }
        case .hasID(let ids): return CardinalityEstimation.exact(ids.count).with(.ids(Array(0..<ids.count)))
        default: return .unknown(total)
        }
    }

    func estimate(_ f: Filter) -> CardinalityEstimation { CardinalityEstimator.estimate(f, total: Self.total, condition: Self.estimator) }

    func numbers(_ e: CardinalityEstimation) -> [Int] { [e.min, e.exp, e.max] }

    func keys(_ e: CardinalityEstimation) -> [String] {
        e.primary.compactMap { if case .field(let f) = $0 { f.key.description } else { nil } }
    }

    @Test func mustOverlapsTheMinimumsMultipliesTheShareAndKeepsTheMostSelectivePrimary() {
        let e = estimate(Filter(must: [Self.cond("color"), Self.cond("size"), Self.cond("un-indexed")]))
        // min: 1000 → 100 → 0 → 0; exp: 0.2 · 0.1 · 0.5 · 1000; max: the smallest maximum.
        #expect(numbers(e) == [0, 10, 100])
        #expect(keys(e) == ["size"])
    }

    @Test func shouldUsesTheComplementRuleAndLosesPrimariesToAnUnindexedBranch() {
        let e = estimate(Filter(should: [Self.cond("color"), Self.cond("size")]))
        #expect(numbers(e) == [100, 280, 400])  // exp (1 − 0.8 · 0.9) · 1000
        #expect(keys(e) == ["color", "size"])
        let open = estimate(Filter(should: [Self.cond("color"), Self.cond("size"), Self.cond("un-indexed")]))
        #expect(numbers(open) == [100, 640, 1000] && open.primary.isEmpty)
    }

    @Test func minShouldIsTheUnionOfEveryIntersection() {
        let e = estimate(Filter(minShould: MinShould(conditions: [Self.cond("color"), Self.cond("size"), Self.cond("price")], minCount: 2)))
        // Pairs: color∧size [0, 20, 100], color∧price [0, 3, 20], size∧price [0, 2 (1.5 rounded away), 20];
        // their union: exp (1 − 0.98 · 0.997 · 0.998) · 1000 = 24.9.
        #expect(numbers(e) == [0, 25, 140])
        #expect(keys(e).count == 3)
        let all = [Self.cond("color"), Self.cond("size"), Self.cond("price")]
        let asMust = estimate(Filter(must: all))
        let three = estimate(Filter(minShould: MinShould(conditions: all, minCount: 3)))
        #expect(numbers(three) == numbers(asMust) && three.primary == asMust.primary && numbers(three) == [0, 0, 20])
        #expect(estimate(Filter(minShould: MinShould(conditions: all, minCount: 4))) == .exact(0))
    }

    @Test func mustNotInvertsAndNestedFiltersCombine() {
        let ids: Set<PointID> = [.number(1), .number(2), .number(3), .number(4), .number(5)]
        let e = estimate(Filter(
            should: [.filter(Filter(must: [Self.cond("color"), Self.cond("size")])), .filter(Filter(must: [Self.cond("price"), Self.cond("size")]))],
            mustNot: [.hasID(ids)]))
        // should of [0, 20, 100] and [0, 2, 20] (1.5 rounded): [0, 22, 120]; must_not has_id: [995, 995, 995];
        // must of both: min max(0, 0 + 995 − 1000) = 0, exp 0.022 · 0.995 · 1000 = 21.9, max 120.
        #expect(numbers(e) == [0, 22, 120])
        #expect(keys(e) == ["size", "price"])  // each branch's most selective
        #expect(CardinalityEstimator.invert(.exact(5), total: 1000) == .exact(995))
    }

    @Test func adjustingToAvailableVectorsScalesTheExpectationAndCapsTheMaximum() {
        let e = CardinalityEstimator.adjust(CardinalityEstimation(min: 0, exp: 64, max: 100), availableVectors: 50, availablePoints: 200)
        #expect(numbers(e) == [0, 16, 50])
        #expect(numbers(CardinalityEstimator.adjust(CardinalityEstimation(min: 90, exp: 95, max: 100), availableVectors: 190, availablePoints: 200)) == [80, 90, 100])
        #expect(numbers(CardinalityEstimator.adjust(.exact(5), availableVectors: 0, availablePoints: 200)) == [0, 0, 0])
    }

    @Test func emptyTotalsAndHugeMinShouldsStayFinite() {
        #expect(numbers(CardinalityEstimator.estimate(Filter(must: [Self.cond("x")]), total: 0) { _ in .unknown(0) }) == [0, 0, 0])
        let many = (0..<40).map { _ in CardinalityEstimation.exact(10) }
        // C(40, 20) subsets would be enumerated by Qdrant; qdb calls that unknown.
        #expect(CardinalityEstimator.minShould(many, minCount: 20, total: 1000) == .unknown(1000))
        #expect(CardinalityEstimator.subsets(5, 2) == 10 && CardinalityEstimator.subsets(40, 20) > CardinalityEstimator.maxSubsets)
    }

    @Test func agrestiCoullSamplingDecidesOnEitherSideOfTheThreshold() {
        // Qdrant's `test_sample_check_cardinality`: half of 100 000 pass, threshold 10 000.
        #expect(CardinalitySampler.exceeds(threshold: 10_000, total: 100_000, count: 100_000, eligible: { _ in true }) { $0 % 2 == 0 })
        #expect(!CardinalitySampler.exceeds(threshold: 10_000, total: 100_000, count: 100_000, eligible: { _ in true }) { $0 % 100 == 0 })
        let (e, d) = CardinalitySampler.interval(trials: 20, positive: 10, total: 1000)
        #expect(e == 500 && d > 100 && d < 250)
    }
}
