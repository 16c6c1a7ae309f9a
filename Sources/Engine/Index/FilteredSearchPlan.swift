import Foundation

/// How a filtered search of an indexed segment went (Qdrant's `HNSWSearchesTelemetry` names
/// in `hnsw/read_view/dispatch.rs`): the estimate alone chose the exact scan of the filtered
/// points (`smallCardinality`) or the graph walk (`largeCardinality`), or it was uncertain and a
/// sample of the points decided (`sampledSmall`, `sampledLarge`).
enum FilteredSearchPath: String, Sendable, CaseIterable {
    case smallCardinality, largeCardinality, sampledSmall, sampledLarge

    var usesGraph: Bool { self == .largeCardinality || self == .sampledLarge }
}

/// A sealed segment's planner state: its payload indexes (built on first use for the
/// collection's schema, rebuilt when the schema changes or an eighth of the points it was built
/// over have been deleted since) and how many filtered searches took each path (a counter
/// tests read). Safe from many threads.
final class SegmentPlanner: @unchecked Sendable {
    private let mutex = NSLock()
    private var index: SegmentPayloadIndex?
    private var paths: [FilteredSearchPath: Int] = [:]

    /// The payload indexes of `seg` for `schema`. Under the shard's read lock.
    func payloadIndex(of seg: Segment, schema: [String: JSONValue]) -> SegmentPayloadIndex {
        mutex.withLock {
            if let i = index, i.schema == schema, (i.builtLive - seg.liveCount) * 8 <= i.builtLive { return i }
            let i = SegmentPayloadIndex(segment: seg, schema: schema)
            index = i
            return i
        }
    }

    /// Adopts indexes built elsewhere for this segment (the optimizer's, for payload links).
    func adopt(_ i: SegmentPayloadIndex) { mutex.withLock { index = i } }

    func record(_ p: FilteredSearchPath) { mutex.withLock { paths[p, default: 0] += 1 } }

    /// Filtered searches of this segment that took `p`.
    func count(_ p: FilteredSearchPath) -> Int { mutex.withLock { paths[p] ?? 0 } }
}

/// Qdrant's second look when the estimate straddles the threshold (`sample_estimation.rs`):
/// check the filter on seeded random points until the Agresti–Coull interval (z = 2) of the
/// matching count lies on one side of `threshold`, or 1000 points were checked.
enum CardinalitySampler {
    static let maxChecked = 1000
    /// Qdrant's id tracker seeds its sample so searches are repeatable; so does qdb.
    static let seed: UInt64 = 42

    /// `confidence_agresti_coull_interval`: the expected count among `total` and its margin.
    static func interval(trials: Int, positive: Int, total: Int) -> (expected: Int64, delta: Int64) {
        let z = 2.0
        let nHat = Double(trials) + z * z
        let p = (Double(positive) + z * z / 2) / nHat
        let margin = z * ((p / nHat) * (1 - p)).squareRoot()
        return (Int64(p * Double(total)), Int64(margin * Double(total)))
    }

    /// Whether more than `threshold` of `total` points pass: `check` answers for an offset,
    /// `eligible` says whether an offset is sampled at all (live, has the vector); offsets are
    /// drawn from `0..<count`, at most `count` draws.
    static func exceeds(threshold: Int, total: Int, count: Int, eligible: (Int) -> Bool, check: (Int) -> Bool) -> Bool {
        var rng = SplitMix64(seed: seed)
        var checked = 0, matched = 0
        var expected: Int64 = 0
        let t = Int64(threshold)
        for _ in 0..<count {
            let off = Int(rng.next() % UInt64(count))
            guard eligible(off) else { continue }
            if check(off) { matched += 1 }
            checked += 1
            let (e, d) = interval(trials: checked, positive: matched, total: total)
            expected = e
            if e - d > t { return true }
            if e + d < t { return false }
            if checked >= maxChecked { break }
        }
        return expected > t
    }
}
