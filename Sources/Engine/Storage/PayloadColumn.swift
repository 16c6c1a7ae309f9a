import Foundation

/// A segment's payloads: an array in the appendable segment; for a sealed segment, its
/// `payloads.bin` mapped and structure-checked at load but decoded only when a payload is
/// first read (then kept). Loading or recovering a segment therefore builds no payload values;
/// the first filtered search or payload read of the segment pays for them once.
struct PayloadColumn {
    private var owned: [Payload] = []
    private let lazy: LazyPayloads?

    init() { lazy = nil }

    /// The `count` payloads of the file at `path`; throws `ByteReader.Truncated` when its
    /// structure does not hold exactly that many.
    init(mapping path: String, count: Int) throws {
        lazy = try LazyPayloads(path: path, count: count)
    }

    var count: Int { lazy?.count ?? owned.count }

    subscript(off: Int) -> Payload { lazy?.decoded[off] ?? owned[off] }

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

/// The mapped payload file of a sealed segment and, once read, its decoded payloads. Shared
/// by readers holding the shard's read lock, so decoding happens once under its own lock.
final class LazyPayloads: @unchecked Sendable {
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
