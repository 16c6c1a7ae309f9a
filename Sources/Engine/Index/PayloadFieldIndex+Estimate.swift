import Foundation

extension PayloadFieldIndex {
    /// Qdrant's estimate of field condition `c` by this field's indexes, tried in Qdrant's order
    /// (value map, then numbers, then the null index, as `FieldIndexRead::estimate_cardinality`
    /// of each); nil when none answers it (the caller then estimates it as unknown).
    func estimate(_ c: FieldCondition) -> CardinalityEstimation? {
        if c.valuesCount != nil { return nil }
        if let e = c.isEmpty {
            let missing = Swift.max(0, totalPoints - hasValues)
            return (e ? CardinalityEstimation(min: 0, exp: 2 * missing / 3, max: missing) : .exact(hasValues)).with(.nullIndex(c))
        }
        if let n = c.isNull {
            let notNull = Swift.max(0, totalPoints - nulls)
            return (n ? .exact(nulls) : CardinalityEstimation(min: 0, exp: 2 * notNull / 3, max: notNull)).with(.nullIndex(c))
        }
        if hasMap, let match = c.match, let m = mapEstimate(match) { return m.isPrimary ? m.estimation.with(.field(c)) : m.estimation }
        if hasNumbers, let range = c.range, let e = rangeEstimate(range) { return e.with(.field(c)) }
        if let tokenizer, c.textIndex != nil, let match = c.match, let e = textEstimate(match, tokenizer) { return e.with(.field(c)) }
        return nil
    }

    /// The offsets (live at build, possibly repeated) of the points that can pass `c`, a primary
    /// clause of this index; nil when the index cannot list them.
    func points(_ c: FieldCondition) -> [Int32]? {
        if c.valuesCount != nil || c.isEmpty != nil || c.isNull != nil { return nil }
        if hasMap, let match = c.match {
            switch match {
            case .value(let v): if let k = operandKey(v) { return postings[k] ?? [] }
            case .any(let vs):
                if vs.isEmpty { return [] }
                let keys = vs.map(operandKey)
                if keys.allSatisfy({ $0 != nil }) { return keys.flatMap { postings[$0!] ?? [] } }
            default: break
            }
        }
        if hasNumbers, let range = c.range, let b = rangeBounds(range) { return Array(numberOffsets[b.lo..<b.hi]) }
        // Every query token's points: a text, text_any or phrase match needs one of them.
        if let tokenizer, c.textIndex != nil, let match = c.match, let q = queryTokens(match, tokenizer) { return q.flatMap { tokens[$0] ?? [] } }
        return nil
    }

    /// The value blocks that get their own graph links (Qdrant's `for_each_payload_block`):
    /// keyword values on more than `threshold` points, integer values on at least `threshold`
    /// (Qdrant's two comparisons differ so). Sorted by value, for a reproducible build.
    func payloadBlocks(threshold: Int) -> [(value: JSONValue, offsets: [Int32])] {
        guard enableHNSW, hasMap, kind == .keyword || kind == .integer else { return [] }
        let keep = postings.filter { kind == .keyword ? $0.value.count > threshold : $0.value.count >= threshold }
        return keep.map { (value: $0.key, offsets: $0.value) }.sorted { "\($0.value)" < "\($1.value)" }
    }

    // MARK: value map (map_index/read_ops.rs, payload_index_impl/{str,int,uuid}.rs, bool_index)

    /// The map key of a `match` operand (Qdrant: a keyword index takes strings, an integer index
    /// integers, a uuid index strings that parse as UUIDs, a bool index bools).
    private func operandKey(_ v: JSONValue) -> JSONValue? {
        switch (kind, v) {
        case (.keyword, .string), (.bool, .bool): return v
        case (.integer, .int), (.integer, .uint), (.uuid, .string): return mapKey(v)
        default: return nil
        }
    }

    private func mapEstimate(_ m: Match) -> (estimation: CardinalityEstimation, isPrimary: Bool)? {
        switch m {
        case .value(let v):
            guard let k = operandKey(v) else { return nil }
            return (.exact(count(k)), true)
        case .any(let vs):
            guard kind != .bool else { return nil }
            // Qdrant's `AnyVariants`: an empty list reads as strings; a string list on an integer
            // index (or integers on a keyword one) is answered only when empty.
            if vs.isEmpty { return (.exact(0), true) }
            let keys = vs.map(operandKey)
            guard keys.allSatisfy({ $0 != nil }) else { return nil }
            let unique = Array(Set(keys.map { $0! }))
            return (CardinalityEstimator.should(unique.map { .exact(count($0)) }, total: mapPoints), true)
        case .except(let vs):
            guard kind != .bool else { return nil }
            let keys = vs.map(operandKey)
            guard vs.isEmpty ? kind != .integer : keys.allSatisfy({ $0 != nil }) else { return nil }
            return (exceptEstimate(Array(Set(keys.map { $0! }))), false)
        default:
            return nil
        }
    }

    /// `except_cardinality`: points having some value other than the excluded ones.
    private func exceptEstimate(_ excluded: [JSONValue]) -> CardinalityEstimation {
        let counts = excluded.map(count)
        let excludedTotal = counts.reduce(0, +)
        let rest = Swift.max(0, mapValues - excludedTotal)
        let perPoint = Swift.max(0, uniqueValues - counts.count)
        guard perPoint > 0 else { return .exact(0) }
        let lo = Swift.max((rest + perPoint - 1) / perPoint, Swift.max(0, mapPoints - excludedTotal))
        let hi = Swift.min(Swift.max(0, mapPoints - (counts.max() ?? 0)), rest)
        let exp = Swift.min(Swift.max(PayloadStatistics.selectedPoints(points: mapPoints, values: rest), lo), hi)
        return CardinalityEstimation(min: lo, exp: exp, max: hi)
    }

    // MARK: full text (full_text_index/inverted_index/mod.rs `estimate_*_cardinality`)

    /// The distinct tokens of a full-text query.
    private func queryTokens(_ m: Match, _ t: TextTokenizer) -> [String]? {
        switch m {
        case .text(let q), .textAny(let q): return Array(Set(t.query(q)))
        case .phrase(let q): return Array(Set(t.document(q)))
        default: return nil
        }
    }

    /// Qdrant's text estimates over the points with a token: all tokens (`text`, bounded by the
    /// rarest token, independence for the expected count; an unseen token matches nothing), any
    /// token (`text_any`, as a `should`), a phrase (the all-tokens estimate divided by the squared
    /// phrase length; nothing without `phrase_matching`, as qdb matches no phrase then).
    private func textEstimate(_ m: Match, _ t: TextTokenizer) -> CardinalityEstimation? {
        guard let q = queryTokens(m, t) else { return nil }
        switch m {
        case .textAny:
            let lengths = q.compactMap { tokens[$0]?.count }
            guard let largest = lengths.max() else { return .exact(0) }
            if lengths.count == 1 { return .exact(largest) }
            return CardinalityEstimation(min: largest, exp: CardinalityEstimator.expectedShould(lengths, total: textPoints),
                                         max: Swift.min(lengths.reduce(0, +), textPoints))
        case .phrase(let phrase):
            guard t.params.phraseMatching else { return .exact(0) }
            let length = t.document(phrase).count
            guard length > 0 else { return .exact(0) }
            let all = allTokens(q)
            return CardinalityEstimation(min: all.min / (length * length), exp: all.exp / (length * length), max: all.max / (length * length))
        default:
            return allTokens(q)
        }
    }

    private func allTokens(_ q: [String]) -> CardinalityEstimation {
        let lengths = q.map { tokens[$0]?.count }
        guard !q.isEmpty, textPoints > 0, lengths.allSatisfy({ $0 != nil }) else { return .exact(0) }
        let smallest = lengths.map { $0! }.min()!
        if q.count == 1 { return .exact(smallest) }
        let share = lengths.reduce(1.0) { $0 * Double($1!) / Double(textPoints) }
        return CardinalityEstimation(min: 0, exp: PayloadStatistics.rustCount(share * Double(textPoints)), max: smallest)
    }

    // MARK: numbers (numeric_index/query.rs `range_cardinality`)

    /// The index range `lo..<hi` of the sorted values inside `range`; nil when the range is of
    /// the other kind (numbers on a datetime field, datetimes on a numeric one).
    private func rangeBounds(_ range: RangeCondition) -> (lo: Int, hi: Int)? {
        let r: NumericRange
        switch (kind, range) {
        case (.integer, .number(let x)), (.float, .number(let x)), (.datetime, .datetime(let x)): r = x
        default: return nil
        }
        func first(_ pass: (Double) -> Bool) -> Int {
            var lo = 0, hi = numbers.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if pass(numbers[mid]) { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
        let lo = first { x in (r.gt.map { x > $0 } ?? true) && (r.gte.map { x >= $0 } ?? true) }
        let hi = first { x in (r.lt.map { x >= $0 } ?? false) || (r.lte.map { x > $0 } ?? false) }
        return (lo, Swift.max(lo, hi))
    }

    private func rangeEstimate(_ range: RangeCondition) -> CardinalityEstimation? {
        guard let b = rangeBounds(range) else { return nil }
        let (lo, hi) = b
        guard maxValuesPerPoint > 0 else { return .exact(0) }
        let selected = hi - lo, values = numbers.count, points = numericPoints
        let expectedMin = Swift.max(selected / maxValuesPerPoint, Swift.max(Swift.min(1, selected), Swift.max(0, selected - (values - points))))
        let expectedMax = Swift.min(points, selected)
        let spread = PayloadStatistics.rustCount(PayloadStatistics.multiValueSelection(points: points, values: values, selected: selected).rounded())
        return CardinalityEstimation(min: expectedMin, exp: Swift.min(expectedMax, Swift.max(spread, expectedMin)), max: expectedMax)
    }
}

/// Qdrant's `stat_tools.rs`: how many points hold `selected` of `values` values spread over
/// `points` points.
enum PayloadStatistics {
    /// A float converted as Rust's `as usize` does: NaN and negatives to 0, saturating.
    static func rustCount(_ d: Double) -> Int {
        guard d > 0 else { return 0 }  // NaN too
        return d >= Double(Int.max) ? Int.max : Int(d)
    }

    /// `number_of_selected_points`: `(1 - e^(-values/points)) · points`, rounded.
    static func selectedPoints(points: Int, values: Int) -> Int {
        rustCount(((1 - exp(-(Double(values) / Double(points)))) * Double(points)).rounded())
    }

    /// `estimate_multi_value_selection_cardinality`.
    static func multiValueSelection(points: Int, values: Int, selected: Int) -> Double {
        guard points > 0, values >= points else { return Double(selected) }
        let perPoint = Double(values) / Double(points)
        return (1 - probNotSelected(total: values, avg: perPoint, selected: selected)) * Double(points)
    }

    /// `approx_fact_log`: Stirling's ln(n!), 1 below 1 (as Qdrant defines it).
    static func lnFactorial(_ n: Double) -> Double {
        n < 1 ? 1 : log((2 * Double.pi * n).squareRoot()) + n * log(n / M_E)
    }

    /// `prob_not_select`.
    static func probNotSelected(total: Int, avg: Double, selected: Int) -> Double {
        let t = Double(total), s = Double(selected)
        return exp(lnFactorial(t - avg) + lnFactorial(t - s) - lnFactorial(t - avg - s) - lnFactorial(t))
    }
}
