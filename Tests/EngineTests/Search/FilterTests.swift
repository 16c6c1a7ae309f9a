import Foundation
import Testing
@testable import Engine

@Suite struct FilterTests {
    let payload: Payload = [
        "city": .string("Berlin"), "count": .int(7), "price": .double(9.5), "ok": .bool(true),
        "tags": .array([.string("a"), .string("b")]), "none": .null, "empty": .array([]),
        "address": .object(["city": .string("Paris"), "zip": .int(75001)]),
        "items": .array([.object(["name": .string("x"), "qty": .int(1)]), .object(["name": .string("y"), "qty": .int(5)])]),
        "text": .string("the quick brown fox"),
    ]

    func check(_ json: String) throws -> Bool {
        let f = try JSONDecoder().decode(Filter.self, from: Data(json.utf8))
        return f.matches(id: .number(42), payload: payload)
    }

    @Test func matchKinds() throws {
        #expect(try check(#"{"must":[{"key":"city","match":{"value":"Berlin"}}]}"#))
        #expect(try !check(#"{"must":[{"key":"city","match":{"value":"London"}}]}"#))
        #expect(try check(#"{"must":[{"key":"count","match":{"value":7}}]}"#))
        #expect(try check(#"{"must":[{"key":"ok","match":{"value":true}}]}"#))
        #expect(try check(#"{"must":[{"key":"city","match":{"any":["London","Berlin"]}}]}"#))
        #expect(try !check(#"{"must":[{"key":"city","match":{"except":["Berlin"]}}]}"#))
        #expect(try check(#"{"must":[{"key":"city","match":{"except":["London"]}}]}"#))
        #expect(try !check(#"{"must":[{"key":"missing","match":{"except":["London"]}}]}"#))
        #expect(try check(#"{"must":[{"key":"text","match":{"text":"quick"}}]}"#))
        #expect(try !check(#"{"must":[{"key":"text","match":{"text":"slow"}}]}"#))
        #expect(try check(#"{"must":[{"key":"tags","match":{"value":"b"}}]}"#))
        #expect(try check(#"{"must":[{"key":"tags[]","match":{"value":"a"}}]}"#))
    }

    @Test func rangeAndCounts() throws {
        #expect(try check(#"{"must":[{"key":"price","range":{"gt":9,"lte":9.5}}]}"#))
        #expect(try !check(#"{"must":[{"key":"price","range":{"lt":9.5}}]}"#))
        #expect(try check(#"{"must":[{"key":"count","range":{"gte":7}}]}"#))
        #expect(try check(#"{"must":[{"key":"tags","values_count":{"gte":2,"lt":3}}]}"#))
        #expect(try !check(#"{"must":[{"key":"tags","values_count":{"gt":2}}]}"#))
    }

    @Test func emptyNullAndIds() throws {
        #expect(try check(#"{"must":[{"is_empty":{"key":"missing"}}]}"#))
        #expect(try check(#"{"must":[{"is_empty":{"key":"empty"}}]}"#))
        #expect(try check(#"{"must":[{"is_empty":{"key":"none"}}]}"#))
        #expect(try !check(#"{"must":[{"is_empty":{"key":"city"}}]}"#))
        #expect(try check(#"{"must":[{"is_null":{"key":"none"}}]}"#))
        #expect(try !check(#"{"must":[{"is_null":{"key":"missing"}}]}"#))
        #expect(try !check(#"{"must":[{"is_null":{"key":"city"}}]}"#))
        #expect(try check(#"{"must":[{"has_id":[1,42]}]}"#))
        #expect(try !check(#"{"must":[{"has_id":[1,2]}]}"#))
    }

    @Test func nestedKeysAndNestedFilters() throws {
        #expect(try check(#"{"must":[{"key":"address.city","match":{"value":"Paris"}}]}"#))
        #expect(try check(#"{"must":[{"key":"items[].name","match":{"value":"y"}}]}"#))
        #expect(try check(#"{"must":[{"nested":{"key":"items","filter":{"must":[{"key":"name","match":{"value":"y"}},{"key":"qty","range":{"gt":2}}]}}}]}"#))
        // No single item has name x with qty > 2.
        #expect(try !check(#"{"must":[{"nested":{"key":"items","filter":{"must":[{"key":"name","match":{"value":"x"}},{"key":"qty","range":{"gt":2}}]}}}]}"#))
    }

    @Test func clauses() throws {
        #expect(try check(#"{"should":[{"key":"city","match":{"value":"London"}},{"key":"count","match":{"value":7}}]}"#))
        #expect(try !check(#"{"should":[{"key":"city","match":{"value":"London"}}]}"#))
        #expect(try !check(#"{"must_not":[{"key":"city","match":{"value":"Berlin"}}]}"#))
        #expect(try check(#"{"must":{"key":"city","match":{"value":"Berlin"}}}"#))
        #expect(try check(#"{"must":[{"must_not":[{"key":"city","match":{"value":"Rome"}}]}]}"#))
        #expect(try check(#"{}"#))
    }

    @Test func badConditionsAreRejected() {
        for bad in [#"{"must":[{"foo":1}]}"#, #"{"must":[{"key":"a"}]}"#, #"{"must":[{"key":"a","match":{}}]}"#] {
            #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(Filter.self, from: Data(bad.utf8)) }
        }
    }
}

/// The allocation-free scalar path of a field condition agrees with the general path.
@Suite struct FieldConditionFastPathTests {
    @Test func scalarPathAgreesWithPathWalk() {
        let values: [JSONValue?] = [
            nil, .null, .bool(true), .bool(false), .int(3), .int(-7), .uint(UInt64.max), .double(2.5), .string("t3"),
            .string("hello world"), .array([.int(3), .null]), .object(["x": .int(1)]),
        ]
        let matches: [Match?] = [
            nil, .value(.int(3)), .value(.string("t3")), .value(.bool(true)), .any([.int(3), .string("t3")]),
            .except([.int(3)]), .except([.string("zzz")]), .text("world"),
        ]
        let ranges: [NumericRange?] = [nil, NumericRange(gte: 3), NumericRange(gt: -10, lt: 3), NumericRange(lte: 2.5)]
        let counts: [NumericRange?] = [nil, NumericRange(gte: 1), NumericRange(lt: 1)]
        var checked = 0
        for v in values {
            let payload: Payload = v.map { ["k": $0, "other": .int(1)] } ?? ["other": .int(1)]
            for m in matches {
                for r in ranges {
                    for c in counts {
                        let f = FieldCondition(key: "k", match: m, range: r, valuesCount: c)
                        let general = f.matches(PayloadPath("k").values(in: payload))
                        if let fast = f.matchesScalar(in: payload) {
                            #expect(fast == general, "\(String(describing: v)) \(String(describing: m)) \(String(describing: r)) \(String(describing: c))")
                            checked += 1
                        } else {
                            #expect(v == nil ? false : [JSONValue.array([]), .object([:])].contains { sameKind($0, v!) })
                        }
                    }
                }
            }
        }
        #expect(checked > 500)
        // Paths never take the scalar path.
        #expect(FieldCondition(key: "a.b", match: .value(.int(1))).matchesScalar(in: ["a.b": .int(1)]) == nil)
        #expect(FieldCondition(key: "a[]", match: .value(.int(1))).matchesScalar(in: ["a": .int(1)]) == nil)
    }

    private func sameKind(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array, .array), (.object, .object): return true
        default: return false
        }
    }
}
