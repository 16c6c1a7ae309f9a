import Foundation
import Testing
@testable import Engine

/// The per-field estimates a segment's payload indexes give (Qdrant's map, numeric, bool and null
/// indexes' formulas), the points their primary clauses list, and the value blocks that get
/// payload links: 100 points, point 5 deleted.
@Suite struct PayloadFieldIndexTests {
    static func payload(_ i: Int) -> Payload {
        var p: Payload = [
            "tag": .string(i < 10 ? "a" : i < 40 ? "b" : "c"), "n": .int(Int64(i)), "multi": .array([.int(Int64(i)), .int(Int64(i + 1))]),
            "g": .int(Int64(i % 3)), "flag": .bool(i % 4 == 0), "body": .string(i < 10 ? "Red apple" : "green apple"), "arr": .array([.object(["k": .string(i % 2 == 0 ? "even" : "odd")])]),
        ]
        if i % 10 == 0 { p["maybe"] = .null } else if i % 10 != 1 { p["maybe"] = .int(1) }
        if i < 20 { p["u"] = .string(String(format: "6BA7B810-9DAD-11D1-80B4-00C04FD430%02X", i)) }
        return p
    }

    static let schema: [String: JSONValue] = [
        "tag": .string("keyword"), "n": .string("integer"), "multi": .object(["type": .string("integer"), "lookup": .bool(false)]),
        "g": .string("integer"), "flag": .string("bool"), "body": .string("text"), "maybe": .string("integer"), "u": .string("uuid"), "arr[].k": .string("keyword"),
    ]

    static func segment() -> Segment {
        let seg = Segment(dims: [2])
        for i in 0..<100 { seg.append(id: .number(UInt64(i)), vectors: [[Float(i), 1]], payload: payload(i), version: 1, sparse: [], multi: []) }
        seg.markDeleted(5, version: 2)
        return seg
    }

    let seg = Self.segment()
    var index: SegmentPayloadIndex { SegmentPayloadIndex(segment: seg, schema: Self.schema) }

    func field(_ key: String, match: Match? = nil, range: RangeCondition? = nil) -> FieldCondition {
        FieldCondition(key: key, match: match, range: range)
    }

    func estimate(_ c: Condition) -> CardinalityEstimation {
        index.estimate(Filter(must: [c]), livePoints: seg.liveCount) { _ in [] }
    }

    func numbers(_ e: CardinalityEstimation) -> [Int] { [e.min, e.exp, e.max] }

    @Test func keywordMatchesCountTheValuesPointsExactly() throws {
        let a = estimate(.field(field("tag", match: .value(.string("a")))))
        #expect(numbers(a) == [9, 9, 9] && a.primary.count == 1)
        // any: the complement rule over the 99 indexed points; min the larger, max the sum.
        #expect(numbers(estimate(.field(field("tag", match: .any([.string("a"), .string("b")]))))) == [30, 36, 39])
        // except on a single-valued field is exact: 99 − 60.
        let except = estimate(.field(field("tag", match: .except([.string("c")]))))
        #expect(numbers(except) == [39, 39, 39] && except.primary.isEmpty)
        // A keyword index does not answer an integer match: unknown over the 99 live points.
        #expect(numbers(estimate(.field(field("tag", match: .value(.int(1)))))) == [0, 49, 99])
        let listed = try #require(index.candidates(a))
        #expect(Set(listed) == Set((0..<10).filter { $0 != 5 }.map(Int32.init)))
    }

    @Test func rangesCountTheValuesInRangeAndSpreadThemOverPoints() throws {
        let single = estimate(.field(field("n", range: .number(NumericRange(gte: 10, lt: 20)))))
        #expect(numbers(single) == [10, 10, 10])
        #expect(Set(try #require(index.candidates(single))) == Set((10..<20).map(Int32.init)))
        // Two values a point: 20 values in range hold between 10 and 20 points; 11 really do.
        let multi = estimate(.field(field("multi", range: .number(NumericRange(gte: 10, lte: 19)))))
        #expect(multi.min == 10 && multi.max == 20 && (10...20).contains(multi.exp))
        #expect(numbers(estimate(.field(field("n", range: .number(NumericRange(gt: 200)))))) == [0, 0, 0])
        // `lookup: false`: no value map, so a match on `multi` is unknown.
        #expect(numbers(estimate(.field(field("multi", match: .value(.int(3)))))) == [0, 49, 99])
    }

    @Test func nullIndexBoolAndUUIDAnswerTheirConditions() {
        // `maybe`: null on 10 points, missing on 10, a value on the rest (79 live).
        #expect(numbers(estimate(.isEmpty(JSONPath(lenient: "maybe")))) == [0, 14, 21])
        #expect(numbers(estimate(.isNull(JSONPath(lenient: "maybe")))) == [10, 10, 10])
        #expect(numbers(estimate(.field(FieldCondition(key: JSONPath(lenient: "maybe"), isEmpty: false)))) == [79, 79, 79])
        #expect(numbers(estimate(.field(field("flag", match: .value(.bool(true)))))) == [25, 25, 25])
        let u = estimate(.field(field("u", match: .value(.string("6ba7b810-9dad-11d1-80b4-00c04fd43003")))))
        #expect(numbers(u) == [1, 1, 1])
        #expect(numbers(estimate(.field(field("u", match: .value(.string("not-a-uuid")))))) == [0, 49, 99])
    }

    @Test func textConditionsUseTokenPostings() throws {
        func text(_ m: Match, bound: Bool = true) -> Condition {
            var f = field("body", match: m)
            if bound { f.textIndex = TextTokenizer(TextIndexParams()) }
            return .field(f)
        }
        #expect(numbers(estimate(text(.text("RED")))) == [9, 9, 9])
        #expect(numbers(estimate(text(.text("blue apple")))) == [0, 0, 0])  // an unseen token
        let both = estimate(text(.text("red apple")))
        #expect(both.min == 0 && both.max == 9 && both.exp <= 9)
        #expect(numbers(estimate(text(.textAny("red green")))) == [90, 91, 99])
        #expect(numbers(estimate(text(.phrase("red apple")))) == [0, 0, 0])  // no phrase_matching: matches nothing
        #expect(numbers(estimate(text(.text("red"), bound: false))) == [0, 49, 99])
        #expect(Set(try #require(index.candidates(estimate(text(.text("red")))))) == Set((0..<10).filter { $0 != 5 }.map(Int32.init)))
    }

    @Test func nestedConditionsUseTheFullPathsIndex() throws {
        let inner = Filter(must: [.field(field("k", match: .value(.string("even"))))])
        let e = estimate(.nested(JSONPath(lenient: "arr"), inner))
        #expect(numbers(e) == [50, 50, 50])  // the 50 even ids (the deleted point is odd)
        guard case .field(let f)? = e.primary.first else { Issue.record("no primary clause"); return }
        #expect(f.key.items == [.key("arr"), .wildcard, .key("k")])
        #expect(try #require(index.candidates(e)).count == 50)
    }

    @Test func hasIDAndHasVectorAreExact() {
        let e = index.estimate(Filter(must: [.hasID([.number(1), .number(2)])]), livePoints: 99) { _ in [1, 2] }
        #expect(numbers(e) == [2, 2, 2] && index.candidates(e) == [1, 2])
        #expect(numbers(estimate(.hasVector("", slot: 0))) == [99, 99, 99])
        #expect(numbers(estimate(.hasVector("x", slot: -1))) == [0, 0, 0])
    }

    @Test func payloadBlocksFollowQdrantsComparisons() {
        let idx = index
        // keyword: more than the threshold; integer: at least the threshold.
        #expect(idx.fields[[.key("tag")]]!.payloadBlocks(threshold: 30).map(\.value) == [.string("c")])
        #expect(idx.fields[[.key("tag")]]!.payloadBlocks(threshold: 29).map(\.value) == [.string("b"), .string("c")])
        #expect(idx.fields[[.key("g")]]!.payloadBlocks(threshold: 33).map(\.value) == [.int(0), .int(1)])
        #expect(idx.fields[[.key("flag")]]!.payloadBlocks(threshold: 1).isEmpty)  // keyword and integer only
    }
}
