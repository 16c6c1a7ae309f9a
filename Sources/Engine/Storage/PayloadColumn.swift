import Foundation

/// A segment's payloads: an array in the appendable segment; for a sealed segment, its
/// `payloads.bin` mapped and structure-checked at load but decoded only when a payload is
/// first read (then kept). Loading or recovering a segment therefore builds no payload values;
/// the first filtered search or payload read of the segment pays for them once.
struct PayloadColumn {
    private var owned: [Payload] = []
    private let lazy: (any LazyPayloadSource)?

    init() { lazy = nil }

    /// The `count` payloads of the file at `path`; throws `ByteReader.Truncated` when its
    /// structure does not hold exactly that many.
    init(mapping path: String, count: Int) throws {
        lazy = try LazyPayloads(path: path, count: count)
    }

    /// The payloads of a gridstore whose pointers `reader` has checked, decoded on first use;
    /// slots marked in `skip` (deleted points, whose values Qdrant may have freed) read as empty.
    init(gridstore reader: Gridstore.Reader, segment: String, skip: [Bool]) {
        lazy = GridstorePayloads(reader, segment: segment, skip: skip)
    }

    /// Decodes every payload now, throwing on the first damaged one (verification).
    func check() throws {
        if let g = lazy as? GridstorePayloads { _ = try g.decodeAll() }
    }

    var count: Int { lazy?.count ?? owned.count }

    /// Whether a gridstore column has been decoded whole (every other column: true).
    var isDecoded: Bool { (lazy as? GridstorePayloads)?.isDecoded ?? true }

    /// One payload. A gridstore's is decoded alone until the whole column is (a query's hits
    /// need a few payloads, not all of them: decoding the column made the first query after a
    /// restore pay for every payload of the segment).
    subscript(off: Int) -> Payload { lazy?.payload(at: off) ?? owned[off] }

    /// Every payload, in order (decoding them first if need be): for loops over a segment.
    var all: [Payload] { lazy?.decoded ?? owned }

    mutating func append(_ p: Payload) {
        precondition(lazy == nil, "a sealed segment's payloads are immutable")
        owned.append(p)
    }

    mutating func set(_ off: Int, _ p: Payload) {
        precondition(lazy == nil, "a sealed segment's payloads are immutable")
        owned[off] = p
    }
}

/// Payloads a sealed segment decodes on first use.
protocol LazyPayloadSource: AnyObject, Sendable {
    var count: Int { get }
    var decoded: [Payload] { get }
    /// The payload at `off`, decoding no more than it needs.
    func payload(at off: Int) -> Payload
}

extension LazyPayloadSource {
    func payload(at off: Int) -> Payload { decoded[off] }
}

/// A sealed segment's gridstore payloads (Qdrant's layout): pointers checked at load, values
/// decompressed and parsed the first time any is read, then kept. A value damaged on disk after
/// the load reads as an empty payload, with a message on stderr.
final class GridstorePayloads: LazyPayloadSource, @unchecked Sendable {
    let count: Int
    private let reader: Gridstore.Reader
    private let segment: String
    private let lock = NSLock()
    private var cache: [Payload]?

    private let skip: [Bool]

    init(_ reader: Gridstore.Reader, segment: String, skip: [Bool]) {
        self.reader = reader
        self.segment = segment
        self.skip = skip
        count = reader.count
    }

    func decodeAll() throws -> [Payload] {
        try (0..<count).map { i in
            guard !skip[i], let value = try reader.value(i) else { return [:] }
            return try PayloadJSON.decode(value, slot: i)
        }
    }

    /// Whether every payload has been decoded (and is kept).
    var isDecoded: Bool { lock.withLock { cache != nil } }

    /// Slots decoded one by one so far: a loop over the segment (a filter scan) soon passes
    /// `singleLimit` and decodes the column once, as before.
    private var singles = 0
    private var singleLimit: Int { max(1024, count / 64) }

    /// From the decoded column once there is one; else this slot alone, from the mapped file
    /// (a damaged value reads as an empty payload, as in `decoded`).
    func payload(at off: Int) -> Payload {
        let cached: [Payload]?, many: Bool
        (cached, many) = lock.withLock {
            singles += 1
            return (cache, singles > singleLimit)
        }
        if let cached { return cached[off] }
        if many { return decoded[off] }
        guard !skip[off], let value = try? reader.value(off), let p = try? PayloadJSON.decode(value, slot: off) else { return [:] }
        return p
    }

    var decoded: [Payload] {
        lock.withLock {
            if let cache { return cache }
            var out: [Payload] = []
            out.reserveCapacity(count)
            var damaged = 0
            for i in 0..<count {
                do {
                    guard !skip[i], let value = try reader.value(i) else {
                        out.append([:])
                        continue
                    }
                    out.append(try PayloadJSON.decode(value, slot: i))
                } catch {
                    out.append([:])
                    damaged += 1
                }
            }
            if damaged > 0 {
                FileHandle.standardError.write(Data("qdb: segment \(segment): \(damaged) payloads do not decode and read as empty\n".utf8))
            }
            cache = out
            return out
        }
    }
}

/// The mapped payload file of a sealed segment and, once read, its decoded payloads. Shared
/// by readers holding the shard's read lock, so decoding happens once under its own lock.
final class LazyPayloads: LazyPayloadSource, @unchecked Sendable {
    let count: Int
    private let path: String
    private let mapping: MappedFile?
    private let lock = NSLock()
    private var cache: [Payload]?

    init(path: String, count: Int) throws {
        self.path = path
        self.count = count
        mapping = try MappedFile(path: path)
        try withBytes { raw in
            var r = ByteReader(raw)
            var released = 0
            for _ in 0..<count {
                try r.skipPayload()
                if r.offset - released >= LazyPayloads.scanWindow { released = mapping!.release(from: released, upTo: r.offset) }
            }
            guard r.remaining == 0 else { throw ByteReader.Truncated() }
            _ = mapping?.release(from: released, upTo: raw.count)
        }
    }

    /// The structure check gives back the pages it has read every this many bytes, so loading
    /// a segment does not keep its payload file resident (it stays in the page cache).
    static let scanWindow = 4 << 20

    private func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: mapping?.base, count: mapping?.count ?? 0))
    }

    var decoded: [Payload] {
        lock.withLock {
            if let cache { return cache }
            let all = decodeAll()
            cache = all
            return all
        }
    }

    /// Decodes the file checked at load. Sealed files never change in place, so this cannot
    /// fail short of outside damage to a live file; then the rest read as empty payloads.
    private func decodeAll() -> [Payload] {
        withBytes { raw in
            var r = ByteReader(raw)
            var out: [Payload] = []
            out.reserveCapacity(count)
            while out.count < count {
                guard let p = try? r.payload() else { break }
                out.append(p)
            }
            if out.count < count {
                FileHandle.standardError.write(Data("qdb: \(path) changed on disk after it was loaded; \(count - out.count) payloads read as empty\n".utf8))
                out.append(contentsOf: repeatElement(Payload(), count: count - out.count))
            }
            return out
        }
    }
}
