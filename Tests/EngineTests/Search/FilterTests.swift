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
        #expect(try check(#"{"must":[{"key":"text","match":{"text":"Fox the"}}]}"#))
        #expect(try !check(#"{"must":[{"key":"text","match":{"text":"qui"}}]}"#))  // whole tokens, not substrings
        #expect(try !check(#"{"must":[{"key":"text","match":{"text":"slow"}}]}"#))
        #expect(try check(#"{"must":[{"key":"text","match":{"text_any":"slow fox"}}]}"#))
        #expect(try check(#"{"must":[{"key":"text","match":{"phrase":"quick brown"}}]}"#))
        #expect(try !check(#"{"must":[{"key":"text","match":{"phrase":"brown quick"}}]}"#))
        #expect(try check(#"{"must":[{"key":"city","match":{"prefix":"Ber"}}]}"#))
        #expect(try !check(#"{"must":[{"key":"price","match":{"value":9}}]}"#))  // a float never equals a match operand
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

    @Test func geoDatetimeAndMinShould() throws {
        let p: Payload = [
            "loc": .object(["lat": .double(52.52), "lon": .double(13.405)]), "when": .string("2024-03-10T12:00:00+01:00"),
        ]
        func c(_ json: String) throws -> Bool {
            try JSONDecoder().decode(Filter.self, from: Data(json.utf8)).matches(id: .number(1), payload: p)
        }
        #expect(try c(#"{"must":[{"key":"loc","geo_radius":{"center":{"lat":52.5,"lon":13.4},"radius":5000}}]}"#))
        #expect(try !c(#"{"must":[{"key":"loc","geo_radius":{"center":{"lat":48.85,"lon":2.35},"radius":5000}}]}"#))
        #expect(try c(#"{"must":[{"key":"loc","geo_bounding_box":{"top_left":{"lat":53,"lon":13},"bottom_right":{"lat":52,"lon":14}}}]}"#))
        #expect(try c(#"{"must":[{"key":"loc","geo_polygon":{"exterior":{"points":[{"lat":52,"lon":13},{"lat":53,"lon":13},{"lat":53,"lon":14},{"lat":52,"lon":14},{"lat":52,"lon":13}]}}}]}"#))
        #expect(try c(#"{"must":[{"key":"when","range":{"gte":"2024-03-10T11:00:00Z","lt":"2024-03-10 11:00:01"}}]}"#))
        #expect(try !c(#"{"must":[{"key":"when","range":{"gt":"2024-03-10T11:00:00Z"}}]}"#))
        #expect(try c(#"{"min_should":{"conditions":[{"has_id":[1]},{"has_id":[2]},{"key":"when","range":{"lt":"2025-01-01"}}],"min_count":2}}"#))
        #expect(try !c(#"{"min_should":{"conditions":[{"has_id":[1]},{"has_id":[2]}],"min_count":2}}"#))
    }

    @Test func arraysOfNullsAndIndexedPaths() throws {
        let p: Payload = ["n": .array([.null, .null]), "e": .array([]), "a": .array([.array([.int(1), .int(2)]), .array([.int(3)])])]
        func c(_ json: String) throws -> Bool {
            try JSONDecoder().decode(Filter.self, from: Data(json.utf8)).matches(id: .number(1), payload: p)
        }
        #expect(try c(#"{"must":[{"is_null":{"key":"n"}}]}"#))
        #expect(try c(#"{"must":[{"is_empty":{"key":"n"}}]}"#) == false)
        #expect(try c(#"{"must":[{"is_empty":{"key":"e"}}]}"#))
        #expect(try c(#"{"must":[{"key":"n","values_count":{"gte":2}}]}"#))
        #expect(try c(#"{"must":[{"key":"a[0][1]","match":{"value":2}}]}"#))
        #expect(try !c(#"{"must":[{"key":"a[1][1]","match":{"value":2}}]}"#))
        #expect(try c(#"{"must":[{"key":"a[][]","match":{"value":3}}]}"#))
        #expect(try c(#"{"must":[{"key":"a","values_count":{"gte":2,"lte":2}}]}"#))
    }

    @Test func badConditionsAreRejected() {
        for bad in [
            #"{"must":[{"foo":1}]}"#, #"{"must":[{"key":"a"}]}"#, #"{"must":[{"key":"a","match":{}}]}"#,
            #"{"must":[{"key":"a[x]","match":{"value":1}}]}"#, #"{"must":[{"key":"a","match":{"value":1},"typo":1}]}"#,
            #"{"musts":[]}"#, #"{"min_should":{"conditions":[],"min_count":0}}"#,
        ] {
            #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(Filter.self, from: Data(bad.utf8)) }
        }
    }
}

/// The allocation-free plain-key path of a field condition agrees with the general path walk.
@Suite struct FieldConditionFastPathTests {
    @Test func plainKeyAgreesWithPathWalk() throws {
        let values: [JSONValue?] = [
            nil, .null, .bool(true), .bool(false), .int(3), .int(-7), .uint(UInt64.max), .double(2.5), .string("t3"),
            .string("hello world"), .array([.int(3), .null]), .object(["x": .int(1)]),
        ]
        let matches: [Match?] = [
            nil, .value(.int(3)), .value(.string("t3")), .value(.bool(true)), .any([.int(3), .string("t3")]),
            .except([.int(3)]), .except([.string("zzz")]), .text("world"), .textAny("hello x"), .phrase("hello world"),
            .prefix("he"),
        ]
        let ranges: [RangeCondition?] = [
            nil, .number(NumericRange(gte: 3)), .number(NumericRange(gt: -10, lt: 3)), .number(NumericRange(lte: 2.5)),
        ]
        let plain = try JSONPath("k"), nested = try JSONPath("w.k")
        var checked = 0
        for v in values {
            let payload: Payload = v.map { ["k": $0, "other": .int(1)] } ?? ["other": .int(1)]
            let wrapped: Payload = ["w": .object(payload)]
            for m in matches {
                for r in ranges where m == nil || r == nil {
                    guard m != nil || r != nil else { continue }
                    let fast = FieldCondition(key: plain, match: m, range: r).matches(payload)
                    let slow = FieldCondition(key: nested, match: m, range: r).matches(wrapped)
                    #expect(fast == slow, "\(String(describing: v)) \(String(describing: m)) \(String(describing: r))")
                    checked += 1
                }
            }
        }
        #expect(checked > 100)
    }
}
