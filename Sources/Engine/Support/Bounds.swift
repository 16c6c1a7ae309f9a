#if canImport(Glibc)
import Glibc
#endif

/// The one bounds policy for untrusted input (archives, manifests, segment files, WAL records,
/// request bodies): every count, size and offset read from such bytes goes through one of these
/// checks before anything is allocated, mapped or written on its behalf.
///
/// The rule is always the same: a declared quantity is admitted only when the bytes it needs
/// really exist (`available`), when the arithmetic on it cannot overflow, and when it is under
/// the configured cap (if any). A failure throws `BoundsError`, which every route answers with
/// 400 and every command with exit status 65 (data error).
///
/// A reader that decodes `n` records of at least `minimumRecordSize` bytes from a buffer of
/// `available` bytes calls `Bounds.count(n, minimumRecordSize:, available:, what:)` before it
/// reserves storage for them; a reader that maps `count * stride` bytes calls
/// `Bounds.byteSize(count:stride:)` and compares the product with the file's real size first.
public enum Bounds {
    /// `a * b`, or nil when it overflows or either factor is negative.
    public static func product(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }

    /// `a + b`, or nil when it overflows or either term is negative.
    public static func sum(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : s
    }

    /// A declared count of records, each taking at least `minimumRecordSize` bytes (≥ 1), that
    /// must come from `available` bytes: admitted when `count * minimumRecordSize <= available`
    /// and `count <= cap`.
    /// - Returns: the count as an `Int`, safe to `reserveCapacity` with.
    /// - Throws: `BoundsError` naming `what`.
    @discardableResult
    public static func count<N: BinaryInteger>(
        _ declared: N, minimumRecordSize: Int, available: Int, cap: Int = .max, what: @autoclosure () -> String
    ) throws -> Int {
        precondition(minimumRecordSize >= 1, "a record takes at least one byte")
        guard declared >= 0, let n = Int(exactly: declared) else {
            throw BoundsError(what(), "declares an impossible count (\(declared))")
        }
        guard n <= cap else { throw BoundsError(what(), "declares \(n) items, over the limit of \(cap)") }
        guard let bytes = product(n, minimumRecordSize), bytes <= available else {
            throw BoundsError(what(), "declares \(n) items but only \(available) bytes hold them")
        }
        return n
    }

    /// The byte size of `count` items of `stride` bytes, overflow-checked.
    /// - Throws: `BoundsError` naming `what` when the product overflows or is negative.
    public static func byteSize(count: Int, stride: Int, what: @autoclosure () -> String) throws -> Int {
        guard let p = product(count, stride) else {
            throw BoundsError(what(), "declares \(count) × \(stride) bytes, which no file can hold")
        }
        return p
    }

    /// Checks that a file or buffer holds exactly `expected` bytes (sizes derived from declared
    /// counts, compared with the real size before the file is mapped or read into memory).
    public static func exactSize(_ actual: Int, expected: Int, what: @autoclosure () -> String) throws {
        guard actual == expected else {
            throw BoundsError(what(), "holds \(actual) bytes, expected \(expected)")
        }
    }

    /// A range `offset ..< offset + length` that must lie inside `0 ..< available`.
    public static func range<N: BinaryInteger>(
        offset: N, length: N, available: Int, what: @autoclosure () -> String
    ) throws -> Range<Int> {
        guard let o = Int(exactly: offset), let l = Int(exactly: length), let end = sum(o, l), end <= available else {
            throw BoundsError(what(), "refers to bytes \(offset)+\(length) outside the \(available) that exist")
        }
        return o..<end
    }

    /// Free bytes on the filesystem holding `path` (for unprivileged writers), or nil when it
    /// cannot be asked.
    public static func freeBytes(at path: String) -> Int? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        return product(Int(s.f_bavail), Int(s.f_frsize))
    }
}

/// A count, size or offset read from untrusted bytes that the bytes themselves (or a configured
/// cap) cannot back. The message names the entry or file (`what`) and never an absolute path of
/// the server (callers pass names relative to the archive or the segment).
public struct BoundsError: Error, CustomStringConvertible, Sendable {
    /// The entry, file or field the bad quantity was read from.
    public var what: String
    /// What was wrong with it.
    public var problem: String

    public init(_ what: String, _ problem: String) {
        self.what = what
        self.problem = problem
    }

    public var description: String { "\(what) \(problem)" }
}
