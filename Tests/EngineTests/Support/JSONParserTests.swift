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

    /// Doubles come out as the C library's correctly rounded strtod gives them (fast_float is
    /// exact too): 17-digit values as Python's repr writes numpy floats, halfway and
    /// subnormal cases, and out-of-range magnitudes.
    @Test func doublesAreCorrectlyRounded() throws {
        var rng = SegmentHostileInputTests.Rng(state: 7)
        var texts = ["0.1", "-0.0", "2.2250738585072011e-308", "4.9e-324", "1e-400", "-1e400", "9007199254740993.0",
                     "1.7976931348623157e308", "0.30000000000000004", "123456789012345678901234567890.5", "7.038531e-26"]
        for _ in 0..<2000 {
            let d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
            if d.isFinite { texts.append("\(d)") }
            texts.append("\(Double(Float.random(in: -1...1, using: &rng)))")
        }
        for t in texts {
            let expected = t.withCString { strtod($0, nil) }
            guard case .array(let a) = try JSONParser.parse(Array("[\(t)]".utf8)), case .double(let got)? = a.first else {
                Issue.record("\(t) is not a double"); continue
            }
            #expect(got.bitPattern == expected.bitPattern, "\(t)")
        }
    }

    /// A vector element read in one pass (`float()`) is bit for bit the `Float` that `number()`
    /// then `Float(_:)` gives: the fast path's range edges, zeros, long mantissas, exponents.
    @Test func vectorFloatsMatchTheGeneralPathBitForBit() throws {
        var rng = SegmentHostileInputTests.Rng(state: 11)
        var texts = ["0", "-0", "-0.0", "0.0", "-0e5", "1", "-1", "9007199254740992", "9007199254740993", "18446744073709551615",
                     "18446744073709551616", "-9223372036854775808", "1e22", "1e23", "1e-22", "1e-23", "123456789e-30",
                     "0.1234567890123456789", "0.00000000000000000001", "1234567890123456789.5", "3.4028235e38", "3.4028236e38",
                     "1e39", "-1e400", "1e-400", "1.4e-45", "7.038531e-26", "1E+2", "5e-0", "0.5E-3"]
        for _ in 0..<3000 {
            let f = Float.random(in: -2...2, using: &rng)
            texts.append("\(f)")
            texts.append("\(Double(f))")  // as json.dumps writes a float32: up to 17 digits
            texts.append(String(format: "%.6f", Double(f)))
            texts.append(String(format: "%.9e", Double(f) * 1e6))
            texts.append("\(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng)))")
            texts.append("\(Int64.random(in: Int64.min...Int64.max, using: &rng))")
        }
        for t in texts where !t.contains("nan") && !t.contains("inf") {
            let bytes = Array(t.utf8) + [0]
            let (fast, general) = try bytes.withUnsafeBufferPointer { b -> (Float, Float) in
                var one = JSONParser(p: b.baseAddress!, end: b.count - 1)
                let fast = try one.float()
                #expect(one.i == one.end, "\(t): read to its end")
                var two = JSONParser(p: b.baseAddress!, end: b.count - 1)
                switch try two.number() {
                case .double(let d): return (fast, Float(d))
                case .int(let n): return (fast, Float(n))
                case .uint(let n): return (fast, Float(n))
                default: return (fast, .nan)
                }
            }
            #expect(fast.bitPattern == general.bitPattern, "\(t): \(fast) vs \(general)")
            // Inside a vector the eight-digit reads of a fraction run into what follows it.
            for next in [",", "]", " ", "}"] {
                let inside = Array((t + next + "12345678]").utf8)
                try inside.withUnsafeBufferPointer { b in
                    var parser = JSONParser(p: b.baseAddress!, end: b.count)
                    let got = try parser.float()
                    #expect(parser.i == t.utf8.count, "\(t + next): stops at its end")
                    #expect(got.bitPattern == general.bitPattern, "\(t + next): \(got) vs \(general)")
                }
            }
        }
        for bad in ["-", "1.", "1e", "1e+", "-a", ".5"] {
            let bytes = Array(bad.utf8) + [0]
            bytes.withUnsafeBufferPointer { b in
                var parser = JSONParser(p: b.baseAddress!, end: b.count - 1)
                #expect(throws: JSONParser.Error.self, "\(bad)") { _ = try parser.float() }
            }
        }
    }

    /// The float fast path gives `Float(strtod(...))` whenever it answers and declines exact
    /// midpoints between two floats: random 1–19 digit mantissas at every power it takes,
    /// midpoints written as integers (odd multiples of half a float ulp), their neighbours, and
    /// the 17-digit decimals nearest to midpoints. It answers every float32 as `json.dumps`
    /// writes one (17 significant digits), the shape it exists for.
    @Test func floatFastPathIsCorrectlyRounded() {
        var rng = SegmentHostileInputTests.Rng(state: 13)
        func decimal(_ d: Double) -> (UInt64, Int) {
            let parts = String(format: "%.16e", d).split(separator: "e")
            return (UInt64(parts[0].replacingOccurrences(of: ".", with: "").replacingOccurrences(of: "-", with: ""))!, Int(parts[1])! - 16)
        }
        var cases: [(UInt64, Int)] = [(0, 0), (1, -22), (9_999_999_999_999_999_999, 22), (9_999_999_999_999_999_999, -22),
                                      (16_777_217, 0), (33_554_434, 0), (34_028_235_677_973_366, 22), (34_028_235_677_973_367, 22)]
        for _ in 0..<200_000 {
            let digits = Int.random(in: 1...19, using: &rng)
            let limit = digits == 19 ? UInt64(9_999_999_999_999_999_999) : (0..<digits).reduce(UInt64(1)) { v, _ in v * 10 } - 1
            cases.append((UInt64.random(in: 0...limit, using: &rng), Int.random(in: -22...22, using: &rng)))
        }
        var midpoints: [(UInt64, Int)] = []
        for _ in 0..<20_000 {
            // Midpoints (2k + 1) · 2^(shift - 1) with a 24-bit k, written as integers, and ± 1.
            let k = UInt64.random(in: (1 << 23)..<(1 << 24), using: &rng)
            let m = (2 * k + 1) << UInt64.random(in: 0...38, using: &rng)
            midpoints.append((m, 0))
            cases += [(m - 1, 0), (m + 1, 0)]
            // A midpoint in (0.001, 1) as its nearest 17-digit decimal: close on either side.
            cases.append(decimal(Double(2 * k + 1) * 0x1p-25 / Double(1 << Int.random(in: 0...9, using: &rng))))
        }
        var dumped: [(UInt64, Int)] = []
        for _ in 0..<100_000 {
            let f = Float.random(in: 0.001..<2, using: &rng)
            if Double(f).description.count >= 18 { dumped.append(decimal(Double(f))) }
        }
        for (mantissa, power) in cases + dumped {
            let text = "\(mantissa)e\(power)"
            let expected = Float(text.withCString { strtod($0, nil) })
            if let got = JSONParser.floatFastPath(mantissa, power) {
                #expect(got.bitPattern == expected.bitPattern, "\(text): \(got) vs \(expected)")
            }
        }
        for (mantissa, power) in midpoints {
            #expect(JSONParser.floatFastPath(mantissa, power) == nil, "\(mantissa) is a midpoint between two floats")
        }
        #expect(dumped.count > 50_000)
        #expect(dumped.allSatisfy { JSONParser.floatFastPath($0.0, $0.1) != nil }, "answers every float32 written with 17 digits")
    }

    /// Eight ASCII digits at once: every position of every digit, and a non-digit byte (the
    /// neighbours of '0' and '9', the JSON separators, NUL, high bytes) anywhere makes it nil.
    @Test func eightDigitsReadsExactlyEightDigits() {
        var rng = SegmentHostileInputTests.Rng(state: 17)
        func chunk(_ bytes: [UInt8]) -> UInt64 { bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
        for _ in 0..<20_000 {
            let digits = (0..<8).map { _ in UInt8.random(in: 0x30...0x39, using: &rng) }
            #expect(JSONParser.eightDigits(chunk(digits)) == UInt64(String(decoding: digits, as: UTF8.self)))
            var bad = digits
            bad[Int.random(in: 0..<8, using: &rng)] = [0x2F, 0x3A, 0x2E, 0x2C, 0x5D, 0x65, 0x45, 0x2D, 0x20, 0x00, 0xFF, 0xB0, 0xB9, 0x39 + 0x80, 0x06, 0x26].randomElement(using: &rng)!
            #expect(JSONParser.eightDigits(chunk(bad)) == nil, "\(bad)")
        }
        #expect(JSONParser.eightDigits(chunk(Array("00000000".utf8))) == 0)
        #expect(JSONParser.eightDigits(chunk(Array("99999999".utf8))) == 99_999_999)
    }
}
