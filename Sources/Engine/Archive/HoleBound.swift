/// How many bytes of holes one sparse tar entry may declare: what a preallocated file of
/// Qdrant's layout needs (reference §1.1, §2.4–§2.8), and no more. A hole costs no disk, but it
/// is hashed as zeros (the digests are of the logical content), so every hole byte is CPU spent
/// on bytes the archive never carried.
///
/// - Qdrant's largest preallocation unit is 32 MiB: a vector chunk `chunk_<n>.mmap` (`CHUNK_SIZE`,
///   `lib/segment/src/vector_storage/chunked_vectors/`) and a gridstore page `page_<n>.dat`
///   (`DEFAULT_PAGE_SIZE_BYTES`, `lib/blobstore/src/config.rs`; 4–8 MiB for field indexes) are
///   created at full size and filled from their start, so at most one unit of them is unwritten.
/// - Files sized by a point count before they are filled — deleted flags `flags_a.dat` (1 MiB,
///   then powers of two: `dynamic_stored_flags.rs`), a gridstore `tracker.dat` (1 MiB, then
///   powers of two), `bitmask.dat`, the bitsets behind `deleted.dat`'s and `id_tracker.deleted`'s
///   headers, field-index bitslices — may be all zeros; 32 MiB of zeros is the bitset of 268M
///   points, more than one segment holds. Past that, a power-of-two file holds at least as much
///   data as it leaves unwritten.
/// - A WAL segment (`wal/open-<n>`, `wal/closed-<n>`) is sized to the collection's
///   `wal_capacity_mb` (32 by default, any size a user sets) with only its header and entries
///   written (`Wal::generate_empty_wal_starting_at_index`, `lib/wal/src/lib.rs`): up to 1 GiB.
///
/// So an entry may declare holes up to `max(unit, its data)`, or `walSegment` for a WAL segment.
/// This bounds each entry; `ExtractLimits.expansionFactor` bounds their sum against the bytes
/// the archive really delivered.
public struct HoleBound: Sendable, Equatable {
    /// Holes any entry may declare regardless of its data (default 32 MiB).
    public var unit: Int
    /// Holes a WAL segment may declare (default 1 GiB).
    public var walSegment: Int

    public init(unit: Int = 32 << 20, walSegment: Int = 1 << 30) {
        self.unit = unit
        self.walSegment = walSegment
    }

    /// The holes an entry at `path` holding `dataSize` real bytes may declare.
    public func allowedHoles(path: String, dataSize: Int) -> Int {
        if HoleBound.isWALSegment(path) { return max(walSegment, dataSize) }
        return max(unit, dataSize)
    }

    /// Throws `.tooLarge` when `entry` declares more holes than `allowedHoles` permits.
    func check(_ entry: TarEntry) throws {
        let allowed = allowedHoles(path: entry.path, dataSize: entry.dataSize)
        guard entry.holeSize > allowed else { return }
        throw ArchiveError(
            .tooLarge,
            "Tar entry `\(entry.path)` declares \(entry.size) bytes of which \(entry.holeSize) are holes, more than the \(allowed) a preallocated file of Qdrant's layout leaves unwritten beside \(entry.dataSize) bytes of data",
            path: entry.path)
    }

    /// `…/wal/open-<n>` or `…/wal/closed-<n>`: a segment file of Qdrant's WAL.
    static func isWALSegment(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        guard parts.count >= 2, parts[parts.count - 2] == "wal" else { return false }
        let name = parts[parts.count - 1]
        for prefix in ["open-", "closed-"] where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count)
            return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
        }
        return false
    }
}

extension ExtractLimits {
    /// Checks a file entry before its content is read: its holes against `holes` (what one
    /// preallocated file needs), and `declared`, the sum of the declared sizes of the archive's
    /// files so far (this one's included), against `expansionFactor` × the bytes really delivered
    /// (`consumed` before this entry's content, plus its data) + `expansionAllowance`, so that
    /// the holes of many entries together may not blow up a small archive either.
    /// - Throws: `ArchiveError(.tooLarge)` naming the entry.
    func checkExpansion(_ entry: TarEntry, declared: Int, consumed: Int) throws {
        if entry.holeSize > 0 { try holes.check(entry) }
        let real = Bounds.sum(consumed, entry.dataSize) ?? .max
        let allowed = Bounds.sum(Bounds.product(real, expansionFactor) ?? .max, expansionAllowance) ?? .max
        guard declared <= allowed else {
            throw ArchiveError(
                .tooLarge,
                "Tar entry `\(entry.path)` declares \(entry.size) bytes (\(entry.holeSize) of them holes), more than the archive's \(real) real bytes can expand to",
                path: entry.path)
        }
    }
}
