import Foundation

/// A point id: an unsigned 64-bit integer or a UUID, as in Qdrant. UUIDs are kept in their
/// canonical lowercase hyphenated form. Numeric ids sort before UUIDs.
public enum PointID: Sendable, Hashable, Comparable, CustomStringConvertible {
    case number(UInt64)
    case uuid(UUID)

    /// Parses a UUID string in any of the forms Qdrant accepts (hyphenated or simple hex).
    public init?(string: String) {
        if let n = UInt64(string) {
            self = .number(n)
        } else if let u = UUID(uuidString: string) {
            self = .uuid(u)
        } else if string.count == 32, string.allSatisfy(\.isHexDigit) {
            var s = string
            for i in [8, 13, 18, 23] { s.insert("-", at: s.index(s.startIndex, offsetBy: i)) }
            guard let u = UUID(uuidString: s) else { return nil }
            self = .uuid(u)
        } else {
            return nil
        }
    }

    /// One word for a numeric id and two for a UUID, no discriminator: the index of a shard
    /// hashes every id it loads, so this is on the load path of every segment.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .number(let n): hasher.combine(n)
        case .uuid(let u):
            withUnsafeBytes(of: u.uuid) { raw in
                hasher.combine(raw.loadUnaligned(as: UInt64.self))
                hasher.combine(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
        }
    }

    public var description: String {
        switch self {
        case .number(let n): return String(n)
        case .uuid(let u): return u.uuidString.lowercased()
        }
    }

    public static func < (lhs: PointID, rhs: PointID) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return a < b
        case (.number, .uuid): return true
        case (.uuid, .number): return false
        case (.uuid(let a), .uuid(let b)):
            return withUnsafeBytes(of: a.uuid) { pa in
                withUnsafeBytes(of: b.uuid) { pb in pa.lexicographicallyPrecedes(pb) }
            }
        }
    }

    /// A stable hash used to route a point to a shard: the splitmix64 finalizer, so every bit of
    /// the id reaches the low bits a small modulus reads. (A plain multiply by an odd constant
    /// keeps `id % 2`, which sent every even id to shard 0 of two.) Part of the storage format:
    /// changing it would misroute existing points.
    var routingHash: UInt64 {
        var z: UInt64
        switch self {
        case .number(let n): z = n
        case .uuid(let u):
            z = withUnsafeBytes(of: u.uuid) { raw in
                raw.load(fromByteOffset: 0, as: UInt64.self) ^ raw.load(fromByteOffset: 8, as: UInt64.self)
            }
        }
        z = z &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension PointID: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(UInt64.self) {
            self = .number(n)
            return
        }
        if let s = try? c.decode(String.self), let id = PointID(string: s), case .uuid = id {
            self = id
            return
        }
        throw DecodingError.dataCorruptedError(
            in: c, debugDescription: "a point id must be an unsigned integer or a UUID string")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .uuid: try c.encode(description)
        }
    }
}
