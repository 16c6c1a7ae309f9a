import CQDBSys
#if canImport(Glibc)
import Glibc
#endif

/// What an HNSW graph needs of the vectors it links: the score between two stored points and
/// between a query and a stored point, both by internal offset, higher meaning closer. The
/// graph code knows nothing else of vectors, so other storages (float16, uint8, …) plug in by
/// conforming to this protocol.
protocol VectorScorer: Sendable {
    associatedtype Query
    /// The number of stored points (offsets `0..<count`).
    var count: Int { get }
    /// Stored point `p` as a query (used while building).
    func query(ofPoint p: Int) -> Query
    func score(_ q: Query, _ p: Int) -> Float
    /// Starts loading stored point `p` into the cache (a hint; the graph walk calls it for a
    /// node's unvisited neighbours before scoring them).
    func prefetch(_ p: Int)
}

extension VectorScorer {
    @inline(__always)
    func prefetch(_ p: Int) {}
}

/// Plain f32 dense vectors, contiguous (`count * dim` floats: a segment's dense column), scored
/// with the exact scan's SIMD kernels. Euclid and Manhattan scores are negated distances, so a
/// larger score is always closer (Qdrant's convention inside its graphs). Cosine vectors are
/// stored normalized, so Cosine is the dot product.
///
/// The caller keeps the floats alive and unchanged while the scorer is used.
struct DenseScorer: VectorScorer, @unchecked Sendable {
    let base: UnsafePointer<Float>
    let dim: Int
    let count: Int
    let distance: Distance
    /// uint8 Cosine: the cosine of unnormalized vectors (`VectorDatatype.swift`).
    var rawCosine = false

    func query(ofPoint p: Int) -> UnsafePointer<Float> { base + p * dim }

    /// Every cache line of the vector, up to 1 KiB (the hardware prefetcher follows longer ones).
    @inline(__always)
    func prefetch(_ p: Int) {
        let start = UnsafeRawPointer(base + p * dim)
        var off = 0
        let end = min(dim * 4, 1024)
        while off < end {
            qdb_prefetch(start + off)
            off += 64
        }
    }

    @inline(__always)
    func score(_ q: UnsafePointer<Float>, _ p: Int) -> Float {
        let b = base + p * dim
        switch distance {
        case .cosine where rawCosine: return SIMDKernels.cosine(q, b, dim)
        case .cosine, .dot: return SIMDKernels.dot(q, b, dim)
        case .euclid: return -SIMDKernels.squaredL2(q, b, dim)
        case .manhattan: return -SIMDKernels.l1(q, b, dim)
        }
    }

    /// A graph score turned back into the score Qdrant reports for `distance`.
    static func reported(_ s: Float, _ distance: Distance) -> Float {
        distance == .euclid ? (-s).squareRoot() : (distance == .manhattan ? -s : s)
    }
}

/// A visited set over `0..<n` cleared in O(1) by bumping a generation stamp; one per searching
/// thread, taken from and given back to a `VisitedPool`, so a query allocates nothing.
final class VisitedList {
    /// Raw storage, not an array: the walk's hottest check then has no exclusivity or
    /// uniqueness checks of a class-held array.
    private let stamps: UnsafeMutablePointer<UInt16>
    private var generation: UInt16 = 0
    let capacity: Int

    init(count: Int) {
        capacity = count
        stamps = .allocate(capacity: max(count, 1))
        stamps.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { stamps.deallocate() }

    /// Starts a new search: every offset reads as unvisited.
    func reset() {
        generation &+= 1
        if generation == 0 {
            stamps.update(repeating: 0, count: max(capacity, 1))
            generation = 1
        }
    }

    /// Marks `p` visited and returns whether it already was.
    @inline(__always)
    func checkAndSet(_ p: Int) -> Bool {
        precondition(p >= 0 && p < capacity, "visited offset out of range")
        let g = generation
        if stamps[p] == g { return true }
        stamps[p] = g
        return false
    }
}

/// Visited lists kept for reuse between queries (Qdrant's `VisitedPool`).
final class VisitedPool: @unchecked Sendable {
    private var free: [VisitedList] = []
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func with<R>(count: Int, _ body: (VisitedList) throws -> R) rethrows -> R {
        pthread_mutex_lock(&mutex)
        let list = free.popLast().flatMap { $0.capacity >= count ? $0 : nil } ?? VisitedList(count: count)
        pthread_mutex_unlock(&mutex)
        list.reset()
        defer {
            pthread_mutex_lock(&mutex)
            if free.count < 16 { free.append(list) }
            pthread_mutex_unlock(&mutex)
        }
        return try body(list)
    }
}

/// A scored internal offset.
struct ScoredOffset {
    var score: Float
    var id: UInt32
}

/// A binary max-heap of scored offsets (by score); a min-heap is one over negated scores.
struct ScoredHeap {
    private(set) var items: [ScoredOffset] = []

    init(capacity: Int) { items.reserveCapacity(capacity) }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    var top: ScoredOffset? { items.first }

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func push(_ e: ScoredOffset) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent].score < items[i].score else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    @discardableResult
    mutating func pop() -> ScoredOffset? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            let n = items.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < n, items[l].score > items[best].score { best = l }
                if r < n, items[r].score > items[best].score { best = r }
                if best == i { break }
                items.swapAt(i, best)
                i = best
            }
        }
        return top
    }
}

/// The `ef` best offsets seen by a search (a min-heap on score, so the worst is on top).
struct NearestSet {
    private var heap: ScoredHeap
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        heap = ScoredHeap(capacity: self.capacity + 1)
    }

    var count: Int { heap.count }
    var isFull: Bool { heap.count >= capacity }
    /// The worst score kept (only meaningful when full).
    var worst: Float { heap.top.map { -$0.score } ?? -.infinity }

    mutating func removeAll() { heap.removeAll() }

    /// Offers a point; returns whether it was kept.
    @discardableResult
    mutating func offer(_ e: ScoredOffset) -> Bool {
        if isFull {
            guard e.score > worst else { return false }
            heap.pop()
        }
        heap.push(ScoredOffset(score: -e.score, id: e.id))
        return true
    }

    /// Best first.
    func sorted() -> [ScoredOffset] {
        heap.items.map { ScoredOffset(score: -$0.score, id: $0.id) }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
    }
}
