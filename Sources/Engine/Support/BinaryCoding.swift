import Foundation

/// Appends little-endian binary values to a byte buffer. Used for WAL records and segment files.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }

    mutating func floats(_ v: [Float]) {
        u32(UInt32(v.count))
        v.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func pointID(_ id: PointID) {
        switch id {
        case .number(let n):
            u8(0)
            u64(n)
        case .uuid(let u):
            u8(1)
            withUnsafeBytes(of: u.uuid) { bytes.append(contentsOf: $0) }
        }
    }

    mutating func json(_ v: JSONValue) {
        switch v {
        case .null: u8(0)
        case .bool(let b): u8(b ? 2 : 1)
        case .int(let i): u8(3); i64(i)
        case .double(let d): u8(4); f64(d)
        case .uint(let u): u8(8); u64(u)
        case .string(let s): u8(5); string(s)
        case .array(let a):
            u8(6)
            u32(UInt32(a.count))
            for e in a { json(e) }
        case .object(let o):
            payload(o)
        }
    }

    mutating func payload(_ o: Payload) {
        u8(7)
        u32(UInt32(o.count))
        for (k, v) in o {
            string(k)
            json(v)
        }
    }
}

/// Reads what `ByteWriter` wrote. Every read is bounds-checked and throws on truncation.
struct ByteReader {
    struct Truncated: Error {}

    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, remaining >= n else { throw Truncated() }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])
    }

    mutating func u8() throws -> UInt8 { try take(1)[0] }
    mutating func u16() throws -> UInt16 { UInt16(littleEndian: try take(2).loadUnaligned(as: UInt16.self)) }
    mutating func u32() throws -> UInt32 { UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self)) }
    mutating func u64() throws -> UInt64 { UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)) }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }

    mutating func floats() throws -> [Float] {
        let n = Int(try u32())
        let raw = try take(n * 4)
        return [Float](unsafeUninitializedCapacity: n) { buf, count in
            UnsafeMutableRawBufferPointer(buf).copyMemory(from: raw)
            count = n
        }
    }

    mutating func string() throws -> String {
        let n = Int(try u32())
        return String(decoding: try take(n), as: UTF8.self)
    }

    mutating func pointID() throws -> PointID {
        switch try u8() {
        case 0: return .number(try u64())
        case 1:
            let raw = try take(16)
            var u = UUID().uuid
            withUnsafeMutableBytes(of: &u) { $0.copyMemory(from: raw) }
            return .uuid(UUID(uuid: u))
        default: throw Truncated()
        }
    }

    mutating func json() throws -> JSONValue {
        let tag = try u8()
        switch tag {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try i64())
        case 4: return .double(try f64())
        case 5: return .string(try string())
        case 6:
            let n = Int(try u32())
            guard n <= remaining else { throw Truncated() }
            var a: [JSONValue] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(try json()) }
            return .array(a)
        case 7:
            return .object(try objectBody())
        case 8:
            return .uint(try u64())
        default:
            throw Truncated()
        }
    }

    /// Steps over one payload as `payload()` would read it, allocating nothing: checks a
    /// payload file's structure without building its values.
    mutating func skipPayload() throws {
        guard try u8() == 7 else { throw Truncated() }
        try skipObjectBody()
    }

    private mutating func skipObjectBody() throws {
        let n = Int(try u32())
        guard n <= remaining else { throw Truncated() }
        for _ in 0..<n {
            _ = try take(Int(try u32()))
            try skipJSON()
        }
    }

    private mutating func skipJSON() throws {
        switch try u8() {
        case 0, 1, 2: return
        case 3, 4, 8: _ = try take(8)
        case 5: _ = try take(Int(try u32()))
        case 6:
            let n = Int(try u32())
            guard n <= remaining else { throw Truncated() }
            for _ in 0..<n { try skipJSON() }
        case 7: try skipObjectBody()
        default: throw Truncated()
        }
    }

    mutating func payload() throws -> Payload {
        guard try u8() == 7 else { throw Truncated() }
        return try objectBody()
    }

    private mutating func objectBody() throws -> Payload {
        let n = Int(try u32())
        guard n <= remaining else { throw Truncated() }
        var o = Payload(minimumCapacity: n)
        for _ in 0..<n {
            let k = try string()
            o[k] = try json()
        }
        return o
    }
}
