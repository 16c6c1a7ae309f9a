import Foundation

/// The id tracker of an appendable Qdrant segment (`lib/segment/src/id_tracker/mutable_id_tracker/`):
///
///     mutable_id_tracker.mappings  append-only log of records, replayed in order:
///                                  u8 type, then 1 InsertNum {u64 ext, u32 internal} (13 B)
///                                  | 2 InsertUuid {16 B uuid, u32 internal} (21 B)
///                                  | 3 DeleteNum {u64 ext} (9 B) | 4 DeleteUuid {16 B uuid} (17 B)
///     mutable_id_tracker.versions  u64 per offset id; a partial tail is ignored
///
/// A truncated last record is cut off, as Qdrant does at load (a crash mid-append); a record
/// with an unknown type is damage. An all-zero tail is preallocation, not records.
public struct MutableIDTracker: Equatable, Sendable {
    /// External id per offset id after replay; nil for offsets whose point was deleted.
    public var ids: [PointID?]
    public var versions: [UInt64]

    public static let mappingsFile = "mutable_id_tracker.mappings"
    public static let versionsFile = "mutable_id_tracker.versions"

    public init(ids: [PointID?], versions: [UInt64]) {
        self.ids = ids
        self.versions = versions
    }

    /// Replays the log. `pointCount` (the vector storage's count, when known) bounds the offset
    /// ids: an insert naming an offset at or past it is damage; without it, offset ids must not
    /// exceed what the log itself could describe.
    public static func read(
        validating mappings: UnsafeRawBufferPointer, versions: UnsafeRawBufferPointer, pointCount: Int? = nil
    ) throws -> MutableIDTracker {
        let limit = pointCount ?? (mappings.count / 13)
        var byInternal: [Int: PointID] = [:]
        var byExternal: [PointID: Int] = [:]
        var at = 0
        var maxInternal = -1
        records: while at < mappings.count {
            let type = mappings[at]
            let size: Int
            switch type {
            case 0: break records  // zero tail: preallocated, never written
            case 1: size = 13
            case 2: size = 21
            case 3: size = 9
            case 4: size = 17
            default:
                throw SegmentFormatError(.corrupt, mappingsFile, "record at byte \(at) has type \(type) (1–4 expected)")
            }
            guard at + size <= mappings.count else { break }  // a torn last record
            let id: PointID = type == 1 || type == 3
                ? .number(SegmentBytes.u64(mappings, at + 1)!) : .uuid(uuid(mappings, at + 1))
            if type <= 2 {
                let offset = Int(SegmentBytes.u32(mappings, at + size - 4)!)
                guard offset < limit else {
                    throw SegmentFormatError(.corrupt, mappingsFile, "record at byte \(at) maps internal id \(offset), past the \(limit) points stored")
                }
                if let old = byExternal[id] { byInternal[old] = nil }
                if let other = byInternal[offset] { byExternal[other] = nil }
                byInternal[offset] = id
                byExternal[id] = offset
                maxInternal = max(maxInternal, offset)
            } else if let old = byExternal.removeValue(forKey: id) {
                byInternal[old] = nil
            }
            at += size
        }
        let n = pointCount ?? (maxInternal + 1)
        var ids = [PointID?](repeating: nil, count: n)
        for (offset, id) in byInternal { ids[offset] = id }
        let have = min(versions.count / 8, n)
        var vs = try ImmutableIDTracker.readVersions(UnsafeRawBufferPointer(rebasing: versions[0..<(have * 8)]), count: have, file: versionsFile)
        vs.append(contentsOf: repeatElement(0, count: n - have))
        return MutableIDTracker(ids: ids, versions: vs)
    }

    /// A UUID from 16 RFC-order bytes at `at` (the caller checked they exist).
    static func uuid(_ b: UnsafeRawBufferPointer, _ at: Int) -> UUID {
        var t: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &t) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: b[at..<(at + 16)])) }
        return UUID(uuid: t)
    }

    /// The two files: one insert record per mapped offset, in offset order.
    public func write() -> (mappings: [UInt8], versions: [UInt8]) {
        var m: [UInt8] = []
        m.reserveCapacity(ids.count * 13)
        for (off, id) in ids.enumerated() {
            guard let id else { continue }
            SegmentBytes.mapping(id, offset: off, tags: (1, 2), into: &m)
        }
        return (m, SegmentBytes.versions(versions))
    }
}
