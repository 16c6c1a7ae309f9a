import CFastFloat
#if canImport(Glibc)
import Glibc
#endif

/// A strict, fast JSON parser into `JSONValue`, for the upsert hot path: Foundation's
/// `JSONDecoder` spends ~100 ms on a 1000 × 128-float body here, which caps ingest near
/// 10k points/s. Numbers without a fraction or exponent that fit in Int64 become `.int`;
/// every other number goes through fast_float (`CFastFloat`; strtod's exact slow path for
/// 17-digit numbers was most of a vector body's parse). Nesting is limited to `maxDepth`.
public struct JSONParser {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    public static let maxDepth = 128

    /// Parses one JSON document (surrounding whitespace allowed).
    public static func parse(_ bytes: some Sequence<UInt8>) throws -> JSONValue {
        var buf = Array(bytes)
        buf.append(0)  // a NUL sentinel after the document (numbers are read only up to their last digit)
        return try buf.withUnsafeBufferPointer { p in
            var parser = JSONParser(p: p.baseAddress!, end: p.count - 1)
            parser.skipSpace()
            let v = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.i == parser.end else { throw parser.fail("unexpected data after the JSON value") }
            return v
        }
    }

    let p: UnsafePointer<UInt8>
    let end: Int
    var i = 0

    func fail(_ m: String, at offset: Int? = nil) -> Error { Error(message: m, offset: offset ?? i) }

    @inline(__always) mutating func skipSpace() {
        while i < end, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < JSONParser.maxDepth else { throw fail("JSON nested too deeply") }
        guard i < end else { throw fail("unexpected end of JSON") }
        switch p[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard end - i >= n, memcmp(p + i, word.utf8Start, n) == 0 else { throw fail("invalid literal") }
        i += n
    }

    mutating func object(depth: Int) throws -> JSONValue {
        i += 1
        var out = Payload()
        skipSpace()
        if i < end, p[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
        while true {
            skipSpace()
            guard i < end, p[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            skipSpace()
            guard i < end, p[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            out[key] = try value(depth: depth + 1)
            skipSpace()
            guard i < end else { throw fail("unexpected end of JSON in an object") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func array(depth: Int) throws -> JSONValue {
        i += 1
        var out: [JSONValue] = []
        skipSpace()
        if i < end, p[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
        while true {
            skipSpace()
            out.append(try value(depth: depth + 1))
            skipSpace()
            guard i < end else { throw fail("unexpected end of JSON in an array") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
            throw fail("expected ',' or ']'")
        }
    }

    mutating func number() throws -> JSONValue {
        let start = i
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("invalid number") }
        if p[i] == 0x30 { i += 1 } else { while i < end, p[i] >= 0x30, p[i] <= 0x39 { i += 1 } }
        var integral = true
        if i < end, p[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            guard i < end, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("invalid number") }
            while i < end, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        }
        if i < end, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            integral = false
            i += 1
            if i < end, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("invalid number") }
            while i < end, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        }
        if integral {
            var v: UInt64 = 0
            var j = start
            let negative = p[j] == UInt8(ascii: "-")
            if negative { j += 1 }
            var overflow = false
            while j < i, !overflow {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(p[j] - 0x30))
                overflow = o1 || o2
                v = a
                j += 1
            }
            if !overflow {
                if !negative { return v <= UInt64(Int64.max) ? .int(Int64(v)) : .uint(v) }
                if v <= UInt64(Int64.max) { return .int(-Int64(v)) }
                if v == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            }
        }
        var d = 0.0
        let used = p.withMemoryRebound(to: CChar.self, capacity: end) { qdb_parse_double($0 + start, i - start, &d) }
        guard used == i - start else { throw fail("invalid number") }
        return .double(d)
    }

    /// Exactly representable powers of ten, for `float()`'s fast path.
    private static let exactPowers: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { v, _ in v * 10 } }

    /// `Float(d)` for `d` the correctly rounded `Double` of `mantissa` · 10^`power` (|power|
    /// ≤ 22), without computing `d`; nil when that can't be told from here.
    ///
    /// `r` below is `Double(mantissa)` times or over an exact power of ten: two roundings, each
    /// off by at most 2^-53 of the value, so `r` is within 2 ulps of the exact value and 2.5 of
    /// `d`. `Float(_:)` rounds `r` and `d` (and the exact value) the same way unless a midpoint
    /// between two floats lies between them; every such midpoint is a double whose 29
    /// significand bits below a float's are 0x1000_0000. So unless `r`'s low 29 bits are within
    /// 16 ulps of that, `Float(r)` is `Float(d)`. (This holds in Float's normal range, where a
    /// float and a double share their exponent: 10^-22 is far above its bottom; past its top
    /// both round to infinity, at the same midpoint.) `json.dumps` writes a float32 with 17
    /// significant digits, past the 2^53 of Clinger's exact path: this takes them with one
    /// double operation and a bit test, where an exact `Double` first costs fast_float a
    /// second scan and 128-bit arithmetic.
    @inline(__always)
    static func floatFastPath(_ mantissa: UInt64, _ power: Int) -> Float? {
        var r = Double(mantissa)
        r = power < 0 ? r / exactPowers[-power] : r * exactPowers[power]
        let low = r.bitPattern & 0x1FFF_FFFF
        guard low &- (0x1000_0000 - 16) > 32 else { return nil }
        return Float(r)
    }

    /// Eight ASCII digits (the first in the lowest byte) as their value, or nil when one of the
    /// eight bytes is not a digit: SWAR, a few multiplications for all eight.
    @inline(__always)
    static func eightDigits(_ chunk: UInt64) -> UInt64? {
        let high = chunk & 0xF0F0_F0F0_F0F0_F0F0
        let carried = ((chunk &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4
        guard high | carried == 0x3333_3333_3333_3333 else { return nil }
        var v = chunk &- 0x3030_3030_3030_3030
        v = v &* 10 &+ (v >> 8)  // pairs: each 16-bit lane's low byte is two digits' value
        let pairs = v & 0x0000_00FF_0000_00FF, pairs2 = (v >> 16) & 0x0000_00FF_0000_00FF
        return ((pairs &* (100 + (1_000_000 << 32))) &+ (pairs2 &* (1 + (10_000 << 32)))) >> 32
    }

    /// A number read as a vector element: the same `Float` as `number()` then `Float(_:)`, in
    /// one pass. While it checks the JSON grammar it accumulates up to 19 decimal digits (a
    /// fraction's eight at a time, `eightDigits`); within ±22 powers of ten `floatFastPath`
    /// almost always answers. Only numbers outside it (or near a midpoint between two floats)
    /// are parsed again: fractions and exponents by fast_float, integers by `number()`.
    /// (Vector bodies are mostly such numbers; their parse is most of an upsert's CPU.)
    mutating func float() throws -> Float {
        let start = i
        var j = i
        defer { i = j }
        let negative = p[j] == UInt8(ascii: "-")
        if negative { j += 1 }
        guard j < end, p[j] >= 0x30, p[j] <= 0x39 else { throw fail("invalid number", at: j) }
        var mantissa: UInt64 = 0, digits = 0, scale = 0, integral = true
        if p[j] == 0x30 {
            j += 1
        } else {
            while j < end, p[j] >= 0x30, p[j] <= 0x39 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[j] &- 0x30) }
                digits += 1
                j += 1
            }
        }
        if j < end, p[j] == UInt8(ascii: ".") {
            integral = false
            j += 1
            guard j < end, p[j] >= 0x30, p[j] <= 0x39 else { throw fail("invalid number", at: j) }
            while digits <= 11, end - j >= 8,
                let eight = Self.eightDigits(UInt64(littleEndian: UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)))
            {
                mantissa = mantissa &* 100_000_000 &+ eight
                digits += 8
                scale += 8
                j += 8
            }
            while j < end, p[j] >= 0x30, p[j] <= 0x39 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[j] &- 0x30) }
                digits += 1
                scale += 1
                j += 1
            }
        }
        var exponent = 0
        if j < end, p[j] == UInt8(ascii: "e") || p[j] == UInt8(ascii: "E") {
            integral = false
            j += 1
            var minus = false
            if j < end, p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-") {
                minus = p[j] == UInt8(ascii: "-")
                j += 1
            }
            guard j < end, p[j] >= 0x30, p[j] <= 0x39 else { throw fail("invalid number", at: j) }
            while j < end, p[j] >= 0x30, p[j] <= 0x39 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(p[j] &- 0x30) }
                j += 1
            }
            if minus { exponent = -exponent }
        }
        let power = exponent - scale
        // `-0` is the integer 0 to `number()` (a positive zero), `-0.0` a negative zero.
        if mantissa == 0, negative, j - start == 2 { return 0 }
        if digits <= 19, power >= -22, power <= 22, let f = Self.floatFastPath(mantissa, power) {
            return negative ? -f : f
        }
        if !integral {
            // A fraction or an exponent: `number()` would take its `Double` path on the bytes
            // just checked, so parse them there without scanning them again.
            var d = 0.0
            let used = p.withMemoryRebound(to: CChar.self, capacity: end) { qdb_parse_double($0 + start, j - start, &d) }
            guard used == j - start else { throw fail("invalid number", at: j) }
            return Float(d)
        }
        // `i` is still `start`: only the `defer` moves it.
        let n = try number()
        j = i
        switch n {
        case .double(let d): return Float(d)
        case .int(let n): return Float(n)
        case .uint(let n): return Float(n)
        default: throw fail("invalid number")
        }
    }

    mutating func string() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < end, p[i] != UInt8(ascii: "\""), p[i] != UInt8(ascii: "\\") {
            guard p[i] >= 0x20 else { throw fail("control character in string") }
            i += 1
        }
        guard i < end else { throw fail("unterminated string") }
        if p[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        }
        var bytes = Array(UnsafeBufferPointer(start: p + start, count: i - start))
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            guard c >= 0x20 else { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
            i += 1
            guard i < end else { break }
            switch p[i] {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard end - i >= 7, p[i + 1] == UInt8(ascii: "\\"), p[i + 2] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail("unpaired surrogate")
                }
                bytes.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default: throw fail("invalid escape")
            }
            i += 1
        }
        throw fail("unterminated string")
    }

    /// Reads the 4 hex digits after `\u`; leaves `i` on the last digit.
    mutating func hex4() throws -> UInt32 {
        guard end - i > 4 else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for k in 1...4 {
            let c = p[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v * 16 + d
        }
        i += 4
        return v
    }
}
