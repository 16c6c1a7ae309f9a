import Dispatch
import Foundation
import Synchronization

/// The independent pieces of one request run on several cores, as Qdrant runs the searches of
/// a batch in parallel on its search threads. Results keep the input's order; when pieces fail,
/// the first failing piece's error (by position) is thrown, as a serial loop would throw it
/// (the pieces are reads: none has effects to undo).
///
/// Width: at most `maxThreads` threads work on one map (Qdrant's
/// `storage.performance.max_search_threads`, which `qdb serve` sets at startup; 0 = auto, one
/// per CPU), and never more than there are pieces. With width 1 the pieces run in turn on the
/// caller's thread.
///
/// `body` runs on several threads at once: it must only read shared state (collection reads
/// take their shards' read locks, as concurrent requests already do).
public enum ParallelMap {
    /// The most threads one map uses; 0 = one per CPU. `qdb serve` sets it once at startup.
    public static var maxThreads: Int {
        get { limit.load(ordering: .relaxed) }
        set { limit.store(newValue, ordering: .relaxed) }
    }

    private static let limit = Atomic<Int>(0)

    /// The threads a map of `count` pieces runs on under the limit `limit` (0 = one per CPU).
    public static func width(pieces count: Int, limit: Int, cpus: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, min(count, limit > 0 ? limit : cpus))
    }

    /// Maps `items` through `body` on up to `threads` threads (default: `maxThreads`).
    public static func map<T, R>(_ items: [T], threads: Int? = nil, _ body: (T) throws -> R) throws -> [R] {
        let width = Self.width(pieces: items.count, limit: threads ?? maxThreads)
        guard width > 1 else { return try items.map(body) }
        var results = [Result<R, any Error>?](repeating: nil, count: items.count)
        withoutActuallyEscaping(body) { body in
            results.withUnsafeMutableBufferPointer { out in
                let shared = Shared(items: items, body: body, slots: out.baseAddress!, cursor: Cursor())
                // `width` workers, each taking the next piece until none is left.
                DispatchQueue.concurrentPerform(iterations: width) { _ in
                    while true {
                        let i = shared.cursor.next.add(1, ordering: .relaxed).oldValue
                        guard i < shared.items.count else { return }
                        shared.slots[i] = Result { try shared.body(shared.items[i]) }
                    }
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// The index of the next piece to take.
    private final class Cursor: Sendable {
        let next = Atomic<Int>(0)
    }

    /// What the workers share: each piece's slot is written by the one worker that took it, and
    /// `concurrentPerform` returns after all of them.
    private struct Shared<T, R>: @unchecked Sendable {
        let items: [T]
        let body: (T) throws -> R
        let slots: UnsafeMutablePointer<Result<R, any Error>?>
        let cursor: Cursor
    }
}
