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
