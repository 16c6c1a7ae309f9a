import Engine
import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

/// A bounded hand-off from an async producer (a request body being parsed) to a blocking reader
/// (a recovery on `Blocking.queue`): the producer awaits while `capacity` bytes wait unread, the
/// reader blocks while none do. Once the reader is gone, writes are dropped, so the producer
/// still consumes the body to its end and the client gets the reader's answer, not a reset.
final class BodyPipe: ByteSource, @unchecked Sendable {
    /// What the reader sees when the producer failed: the producer's own error is what the
    /// request reports.
    struct ProducerFailed: Error {}

    private let cond = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0  // index of the first unread chunk
    private var headOffset = 0  // bytes of chunks[head] already read
    private var buffered = 0
    private let capacity: Int
    private var ended = false
    private var failed = false
    private var readerGone = false
    private var spaceWaiter: CheckedContinuation<Void, Never>?
    /// The request's Content-Length: the field's bytes are a part of the body, so at most this
    /// many ever arrive (`remainingSize`).
    private let bodyLength: Int?
    private var delivered = 0

    init(capacity: Int = 16 << 20, bodyLength: Int? = nil) {
        self.capacity = capacity
        self.bodyLength = bodyLength
    }

    var remainingSize: Int? {
        guard let bodyLength else { return nil }
        return cond.withLock { max(0, bodyLength - delivered) }
    }

    // MARK: producer

    /// Queues `bytes`, waiting (without blocking a thread) while the pipe is full.
    func write(_ bytes: [UInt8]) async {
        guard !bytes.isEmpty else { return }
        while true {
            let queued: Bool = cond.withLock {
                if readerGone { return true }
                guard buffered < capacity else { return false }
                chunks.append(bytes)
                buffered += bytes.count
                cond.signal()
                return true
            }
            if queued { return }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = cond.withLock {
                    if readerGone || buffered < capacity { return true }
                    spaceWaiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    /// Ends the stream: the reader gets end of stream, or `ProducerFailed` when `failed`.
    func finish(failed: Bool) {
        cond.withLock {
            ended = true
            self.failed = failed
            cond.broadcast()
        }
    }

    // MARK: reader

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var waiter: CheckedContinuation<Void, Never>?
        defer { waiter?.resume() }
        return try cond.withLock {
            while head == chunks.count && !ended { cond.wait() }
            if head == chunks.count {
                if failed { throw ProducerFailed() }
                return 0
            }
            var n = 0
            while n < buffer.count, head < chunks.count {
                let chunk = chunks[head]
                let take = min(buffer.count - n, chunk.count - headOffset)
                chunk.withUnsafeBytes { src in
                    (buffer.baseAddress! + n).copyMemory(from: src.baseAddress! + headOffset, byteCount: take)
                }
                n += take
                headOffset += take
                if headOffset == chunk.count {
                    head += 1
                    headOffset = 0
                }
            }
            if head > 64 && head * 2 > chunks.count {
                chunks.removeFirst(head)
                head = 0
            }
            buffered -= n
            delivered += n
            if buffered < capacity { waiter = spaceWaiter; spaceWaiter = nil }
            return n
        }
    }

    /// The reader is done (finished or failed): later writes are dropped and a waiting
    /// producer resumes.
    func closeReader() {
        let waiter: CheckedContinuation<Void, Never>? = cond.withLock {
            readerGone = true
            chunks = []
            head = 0
            headOffset = 0
            buffered = 0
            defer { spaceWaiter = nil }
            return spaceWaiter
        }
        waiter?.resume()
    }
}

extension Call {
    /// Runs `recover` over the `snapshot` field of a multipart upload. With `wait` the field streams
    /// straight into `recover` (on the blocking queue) as the body arrives, so the archive is
    /// never spooled to disk: it is unpacked, checked and staged as it comes, and a bad upload
    /// fails without touching live data. Without `wait` the field is spooled first (the answer,
    /// 202, must not wait for the body's recovery) and recovered in the background.
    ///
    /// Runs only after auth has passed (the middleware answers 401/403 before any of the body is
    /// read), and stops at `service.max_upload_size_mb`.
    ///
    /// The recovery is a registered operation of `kind` (`/operations`): the source `recover`
    /// reads is counted and cancellable (a cancelled upload leaves the target as it was).
    func recoverUpload<T: Encodable & Sendable>(
        wait: Bool, kind: SnapshotOperation.Kind = .upload_recover, collection: String, shard: Int? = nil,
        _ recover: @escaping @Sendable (any ByteSource) throws -> T
    ) async throws -> Response {
        let parser = MultipartUpload(
            boundary: try MultipartUpload.boundary(from: request.headers[.contentType]), field: "snapshot",
            maxBytes: state.config.maxUploadSizeMB << 20)
        // Up front: a body whose declared size cannot fit where it goes (staging, or the spool)
        // is refused with 507 before a byte of it is read.
        if let length = request.headers[.contentLength].flatMap({ Int($0) }) {
            let dir = wait ? state.storage.tmpDir : try state.snapshots.store.tempDirectory()
            if let free = Bounds.freeBytes(at: dir), length > free {
                throw APIError(
                    APIError.insufficientStorage,
                    "Insufficient storage: the upload is \(length) bytes but only \(free) are free; free some disk space and retry")
            }
        }
        let registry = state.snapshots.operations
        guard wait else {
            let upload = try await spoolUpload(parser)
            let size = (try? FileManager.default.attributesOfItem(atPath: upload)[.size] as? Int).flatMap { $0 }.map(Int64.init)
            return try await operation(kind, collection: collection, shard: shard, total: size, wait: false) { op in
                defer { unlink(upload) }
                return try recover(op.track(try FileDescriptorSource(path: upload)))
            }
        }
        let op = registry.start(kind, collection: collection, shard: shard, total: contentLength)
        let pipe = BodyPipe(bodyLength: contentLength.map(Int.init))
        let reader = Task {
            try await Blocking.run {
                defer { pipe.closeReader() }
                return try registry.run(op) { op in try recover(op.track(pipe)) }
            }
        }
        var producerError: (any Error)?
        do {
            _ = try await parser.extract(request.body) { await pipe.write($0) }
            pipe.finish(failed: false)
        } catch {
            producerError = error
            pipe.finish(failed: true)
        }
        let result = await reader.result
        if let producerError, case .failure(let e) = result, e is BodyPipe.ProducerFailed {
            throw producerError
        }
        var response = try await respond { try result.get() }
        response.headers[.location] = "/operations/\(op.id)"
        return response
    }

    /// Streams the upload's `snapshot` field into a temp file in the snapshots directory and
    /// returns its path.
    private func spoolUpload(_ parser: MultipartUpload) async throws -> String {
        let dir = try state.snapshots.store.tempDirectory()
        let path = dir + "/upload-\(UUID().uuidString)"
        let sink = try FileDescriptorSink(creatingFile: path, fsyncOnClose: false)
        do {
            _ = try await parser.extract(request.body) { bytes in try sink.write(bytes) }
            try sink.close()
            return path
        } catch {
            try? sink.close()
            unlink(path)
            throw error
        }
    }
}
