import Foundation

/// The id tracker of a non-appendable Qdrant segment (`lib/segment/src/id_tracker/immutable_id_tracker/`):
///
///     id_tracker.mappings  u64 count, then count × {u8 kind (0 num, 1 uuid), u64 | 16 B uuid, u32 internal}
///     id_tracker.versions  u64 per offset id (the op number of the point's last change)
///     id_tracker.deleted   bitset of offset ids deleted after the segment was built,
///                          LSB-first in u64 words, no header (`StoredBitSlice`)
///
/// Internal ids are dense offsets into the segment's vector and payload storages. UUIDs are in
/// RFC byte order. `mappings` is immutable once written; deletions flip bits in `deleted`.
public struct ImmutableIDTracker: Equatable, Sendable {
    /// External id per offset id; nil where no mapping names the offset.
    public var ids: [PointID?]
    public var versions: [UInt64]
    public var deleted: [Bool]

    public static let mappingsFile = "id_tracker.mappings"
    public static let versionsFile = "id_tracker.versions"
    public static let deletedFile = "id_tracker.deleted"

    public init(ids: [PointID?], versions: [UInt64], deleted: [Bool]) {
        self.ids = ids
        self.versions = versions
        self.deleted = deleted
    }

    /// Parses the three files. `pointCount`, when known (the vector storage's count), is the
    /// size of the offset id space; otherwise it is one past the largest offset id.
    /// Every count and offset is checked against the bytes given before anything is allocated.
    public static func read(
        validating mappings: UnsafeRawBufferPointer, versions: UnsafeRawBufferPointer, deleted: UnsafeRawBufferPointer,
        pointCount: Int? = nil
    ) throws -> ImmutableIDTracker {
        guard let declared = SegmentBytes.u64(mappings, 0) else {
            throw SegmentFormatError(.corrupt, mappingsFile, "is \(mappings.count) bytes, shorter than its 8-byte count")
        }
        // Every entry takes at least 13 bytes: the count cannot exceed what the file holds.
        guard declared <= UInt64((mappings.count - 8) / 13) else {
            throw SegmentFormatError(.corrupt, mappingsFile, "declares \(declared) entries but holds \(mappings.count) bytes")
        }
        let count = Int(declared)
        var entries: [(PointID, Int)] = []
        entries.reserveCapacity(count)
        var at = 8
        var maxInternal = -1
        for i in 0..<count {
            guard at < mappings.count else { throw truncated(i, count) }
            let kind = mappings[at]
            at += 1
            let id: PointID
            switch kind {
            case 0:
                guard let n = SegmentBytes.u64(mappings, at) else { throw truncated(i, count) }
                id = .number(n)
                at += 8
            case 1:
                guard at + 16 <= mappings.count else { throw truncated(i, count) }
                id = .uuid(MutableIDTracker.uuid(mappings, at))
                at += 16
            default:
                throw SegmentFormatError(.corrupt, mappingsFile, "entry \(i) has id kind \(kind) (0 or 1 expected)")
            }
            guard let offset = SegmentBytes.u32(mappings, at) else { throw truncated(i, count) }
            at += 4
            entries.append((id, Int(offset)))
            maxInternal = max(maxInternal, Int(offset))
        }
        guard at == mappings.count else {
            throw SegmentFormatError(.corrupt, mappingsFile, "has \(mappings.count - at) bytes after its \(count) entries")
        }
        // Internal ids are dense: without the vector storage's count, the entries bound them.
        let n = pointCount ?? count
        guard maxInternal < n else {
            throw SegmentFormatError(.corrupt, mappingsFile, "maps internal id \(maxInternal) but the segment stores \(n) points")
        }
        guard versions.count / 8 >= n else {
            throw SegmentFormatError(.corrupt, versionsFile, "holds \(versions.count / 8) versions for \(n) points")
        }
        guard deleted.count >= (n + 7) / 8 else {
            throw SegmentFormatError(.corrupt, deletedFile, "is \(deleted.count) bytes, too short for \(n) points")
        }
        // A point mapped twice is not checked here: the shard's index resolves two copies of a
        // point by version, within a segment as across segments (and hashes every id anyway).
        var ids = [PointID?](repeating: nil, count: n)
        for (id, offset) in entries {
            guard ids[offset] == nil else {
                throw SegmentFormatError(.corrupt, mappingsFile, "maps internal id \(offset) twice")
            }
            ids[offset] = id
        }
        let vs = try readVersions(versions, count: n, file: versionsFile)
        return ImmutableIDTracker(ids: ids, versions: vs, deleted: SegmentBytes.bits(deleted, count: n))
    }

    /// A flat `u64` array: at most `count` versions are read, shorter files give 0 for the rest
    /// only when the missing part is a partial tail (Qdrant writes with seeks); anything shorter
    /// than `count` whole entries is damage.
    static func readVersions(_ b: UnsafeRawBufferPointer, count: Int, file: String) throws -> [UInt64] {
        guard b.count / 8 >= count else {
            throw SegmentFormatError(.corrupt, file, "holds \(b.count / 8) versions for \(count) points")
        }
        var out = [UInt64](repeating: 0, count: count)
        out.withUnsafeMutableBytes { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: b[0..<(count * 8)]))
        }
        #if _endian(big)
        for i in out.indices { out[i] = UInt64(littleEndian: out[i]) }
        #endif
        return out
    }

    private static func truncated(_ i: Int, _ count: Int) -> SegmentFormatError {
        SegmentFormatError(.corrupt, mappingsFile, "ends inside entry \(i) of \(count)")
    }

    /// The three files' bytes. Offsets without an id (`nil`) are left out of `mappings`.
    public func write() -> (mappings: [UInt8], versions: [UInt8], deleted: [UInt8]) {
        var m: [UInt8] = []
        m.reserveCapacity(8 + ids.count * 13)
        let mapped = ids.enumerated().compactMap { off, id in id.map { ($0, off) } }
        SegmentBytes.le(UInt64(mapped.count), into: &m)
        for (id, off) in mapped { SegmentBytes.mapping(id, offset: off, tags: (0, 1), into: &m) }
        return (m, SegmentBytes.versions(versions), SegmentBytes.packWords(deleted))
    }
}
