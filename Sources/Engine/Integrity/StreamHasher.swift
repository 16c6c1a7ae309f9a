import Foundation

/// SHA-256 of a whole stream, computed on a background thread so that it overlaps the caller's
/// own pass over the same bytes (per-entry hashing, unpacking, writing). Without it, creating,
/// verifying and restoring a snapshot hashed every byte twice on one thread (bench/snapshot).
/// Chunks are copied into a bounded queue (at most `maxQueued`), so memory stays small and a
/// slow hasher slows the producer instead of buffering the stream.
final class StreamHasher: @unchecked Sendable {
    private final class State: @unchecked Sendable {
        let cond = NSCondition()
        var chunks: [[UInt8]] = []
        var closed = false
        var finished = false
        let hasher = SHA256Hasher()
    }

    static let maxQueued = 16
    private let state = State()
    private var result: String?

    init() {
        let state = self.state
        Thread.detachNewThread {
            while true {
                state.cond.lock()
                while state.chunks.isEmpty, !state.closed { state.cond.wait() }
                if state.chunks.isEmpty {
                    state.finished = true
                    state.cond.broadcast()
                    state.cond.unlock()
                    return
                }
                let chunk = state.chunks.removeFirst()
                state.cond.broadcast()
                state.cond.unlock()
                chunk.withUnsafeBytes { state.hasher.update($0) }
            }
        }
    }

    /// Drops what is still queued and waits for the thread to stop, so no hashing outlives the
    /// hasher (a process exiting under a running libcrypto call can crash).
    deinit {
        state.cond.lock()
        state.closed = true
        state.chunks.removeAll()
        state.cond.broadcast()
        while !state.finished { state.cond.wait() }
        state.cond.unlock()
    }

    func update(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        let copy = Array(raw)
        state.cond.lock()
        while state.chunks.count >= StreamHasher.maxQueued { state.cond.wait() }
        state.chunks.append(copy)
        state.cond.broadcast()
        state.cond.unlock()
    }

    /// Waits for every queued chunk to be hashed and returns the digest (the same on every call;
    /// no update may follow).
    func finalizeHex() -> String {
        if let result { return result }
        state.cond.lock()
        state.closed = true
        state.cond.broadcast()
        while !state.finished { state.cond.wait() }
        state.cond.unlock()
        let hex = state.hasher.finalizeHex()
        result = hex
        return hex
    }
}
