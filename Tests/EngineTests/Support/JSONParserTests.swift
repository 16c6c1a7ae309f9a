import Foundation
import Testing
@testable import Engine

@Suite struct JSONParserTests {
    @Test func parsesLikeFoundation() throws {
        let text = #"""
            {"a": [1, -2, 3.5, -0.25e2, 1E-3, 0], "s": "x\"y\\z\/\n\t\u00e9\ud83d\ude00", "t": true,
             "f": false, "n": null, "o": {"nested": {"deep": []}}, "big": 18446744073709551615,
             "min": -9223372036854775808, "huge": 1e400, "empty": {}}
            """#
        let v = try JSONParser.parse(Array(text.utf8))
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o["a"] == .array([.int(1), .int(-2), .double(3.5), .double(-25), .double(0.001), .int(0)]))
        #expect(o["s"] == .string("x\"y\\z/\n\té😀"))
        #expect(o["t"] == .bool(true) && o["f"] == .bool(false) && o["n"] == .null)
        #expect(o["o"] == .object(["nested": .object(["deep": .array([])])]))
        #expect(o["big"] == .uint(UInt64.max))
        #expect(o["min"] == .int(Int64.min))
        #expect(o["huge"] == .double(.infinity))
        #expect(o["empty"] == .object([:]))
        // Same values as the Codable path.
        let viaFoundation = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"a":[1,2.5],"b":"c"}"#.utf8))
        #expect(try JSONParser.parse(Array(#" {"a":[1,2.5],"b":"c"} "#.utf8)) == viaFoundation)
    }

    @Test func rejectsMalformedInput() {
        let bad = ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc", "\"\u{1}\"", "[1] x",
                   "\"\\ud800\"", "\"\\q\"", "{\"a\":1,}", String(repeating: "[", count: 200) + String(repeating: "]", count: 200)]
        for text in bad {
            #expect(throws: JSONParser.Error.self, "\(text.debugDescription)") { try JSONParser.parse(Array(text.utf8)) }
        }
    }
}
