import Dispatch

/// The independent pieces of one request run on every core, as Qdrant runs the searches of a
/// batch in parallel. Results keep the input's order; when pieces fail, the first failing
/// piece's error (by position) is thrown, as a serial loop would throw it, after every piece
/// has run (the pieces are reads: none has effects to undo).
///
/// `body` runs on several threads at once: it must only read shared state (collection reads
/// take their shards' read locks, as concurrent requests already do).
public enum ParallelMap {
    public static func map<T, R>(_ items: [T], _ body: (T) throws -> R) throws -> [R] {
        guard items.count > 1 else { return try items.map(body) }
        var results = [Result<R, any Error>?](repeating: nil, count: items.count)
        withoutActuallyEscaping(body) { body in
            results.withUnsafeMutableBufferPointer { out in
                let shared = Shared(items: items, body: body, slots: out.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: items.count) { i in
                    shared.slots[i] = Result { try shared.body(shared.items[i]) }
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// What the workers share: each writes only its own slot, and `concurrentPerform` returns
    /// after all of them.
    private struct Shared<T, R>: @unchecked Sendable {
        let items: [T]
        let body: (T) throws -> R
        let slots: UnsafeMutablePointer<Result<R, any Error>?>
    }
}
