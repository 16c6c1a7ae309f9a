import Foundation

/// A `ByteSink` that streams into one S3 object by multipart upload, as the bytes are written:
/// no local copy. The writer fills one part buffer while a background thread uploads the
/// previous one, so memory stays at two part buffers and the network overlaps the archive
/// writer. The object appears only at `complete()`; `abort()` (or any failure) aborts the
/// multipart upload so no partial object or orphaned part is left.
///
/// A stream shorter than one part is sent with a single PUT at `complete()` instead.
/// Not thread-safe: one writer thread, as every `ByteSink`.
public final class S3MultipartSink: ByteSink, @unchecked Sendable {
    public let client: S3Client
    public let key: String
    public let partSize: Int
    /// S3 allows at most 10,000 parts, so a stream may hold at most `10_000 * partSize` bytes.
    public static let maxParts = 10_000
    public static let minPartSize = 5 << 20

    private var buffer: UnsafeMutableRawBufferPointer
    private var spare: UnsafeMutableRawBufferPointer?
    private var filled = 0
    private var uploadID: String?
    private var etags: [String] = []
    private var partsShipped = 0
    private var closed = false
    private var finished = false
    public private(set) var bytesWritten: Int64 = 0

    // The uploader thread's hand-off: at most one part in flight.
    private let cond = NSCondition()
    private var pending: (number: Int, bytes: UnsafeMutableRawBufferPointer, count: Int)?
    private var failure: (any Error)?
    private var uploader: Thread?
    private var stopping = false

    public init(client: S3Client, key: String, partSize: Int) {
        self.client = client
        self.key = key
        self.partSize = max(partSize, S3MultipartSink.minPartSize)
        buffer = .allocate(byteCount: self.partSize, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        spare?.deallocate()
    }

    public func write(_ raw: UnsafeRawBufferPointer) throws {
        guard !closed else { throw S3Error(.failed, "write to a closed S3 upload of \(key)") }
        try checkFailure()
        var off = 0
        while off < raw.count {
            let n = min(raw.count - off, partSize - filled)
            (buffer.baseAddress! + filled).copyMemory(from: raw.baseAddress! + off, byteCount: n)
            filled += n
            off += n
            if filled == partSize { try shipPart() }
        }
        bytesWritten += Int64(raw.count)
    }

    /// Uploads what is buffered and waits for every part; the object is not visible yet.
    public func close() throws {
        guard !closed else { return }
        closed = true
        defer { stopUploader() }
        if uploadID != nil, filled > 0 { try shipPart() }
        try waitIdle()
    }

    /// Makes the object appear: completes the multipart upload, or PUTs a short stream whole.
    public func complete() throws {
        try close()
        if let uploadID {
            try client.completeMultipartUpload(key, uploadID: uploadID, etags: etags)
        } else {
            _ = try client.send("PUT", key: key, body: UnsafeRawBufferPointer(rebasing: buffer[0..<filled]), what: "upload")
        }
        finished = true
    }

    /// Stops the uploader and aborts the multipart upload (retried); nothing is left in the bucket.
    /// Safe to call more than once and after a failure.
    public func abort() {
        guard !finished else { return }
        finished = true
        closed = true
        cond.lock()
        stopping = true
        cond.broadcast()
        while pending != nil, uploader != nil { cond.wait() }
        cond.unlock()
        if let uploadID { try? client.abortMultipartUpload(key, uploadID: uploadID) }
    }

    // MARK: internals

    private func checkFailure() throws {
        cond.lock()
        defer { cond.unlock() }
        if let failure { throw failure }
    }

    /// Hands the full buffer to the uploader (waiting while the previous part is in flight) and
    /// takes the spare buffer to fill next.
    private func shipPart() throws {
        if uploadID == nil { uploadID = try client.createMultipartUpload(key) }
        let number = partsShipped + 1
        guard number <= S3MultipartSink.maxParts else {
            throw S3Error(.failed, "snapshot is larger than \(S3MultipartSink.maxParts) parts of \(partSize >> 20) MiB; raise the S3 part size")
        }
        startUploaderIfNeeded()
        cond.lock()
        while pending != nil, failure == nil { cond.wait() }
        if let failure {
            cond.unlock()
            throw failure
        }
        pending = (number, buffer, filled)
        let next = spare
        spare = nil
        cond.broadcast()
        cond.unlock()
        partsShipped = number
        buffer = next ?? .allocate(byteCount: partSize, alignment: 64)
        filled = 0
    }

    private func stopUploader() {
        cond.lock()
        stopping = true
        cond.broadcast()
        cond.unlock()
    }

    private func waitIdle() throws {
        cond.lock()
        while pending != nil, failure == nil { cond.wait() }
        let failure = self.failure
        cond.unlock()
        if let failure { throw failure }
    }

    private func startUploaderIfNeeded() {
        guard uploader == nil, let uploadID else { return }
        let thread = Thread { [self] in
            while true {
                cond.lock()
                while pending == nil, !stopping { cond.wait() }
                guard let part = pending, !stopping else {
                    pending = nil
                    cond.broadcast()
                    cond.unlock()
                    return
                }
                cond.unlock()
                var etag: String?
                var error: (any Error)?
                do {
                    try Failpoint.s3Part(part.number)
                    etag = try client.uploadPart(key, uploadID: uploadID, number: part.number, UnsafeRawBufferPointer(rebasing: part.bytes[0..<part.count]))
                } catch let e {
                    error = e
                }
                if etag != nil { Failpoint.pause("s3_after_part") }
                cond.lock()
                if let etag { etags.append(etag) } else { failure = error }
                if spare == nil { spare = part.bytes } else { part.bytes.deallocate() }
                pending = nil
                cond.broadcast()
                cond.unlock()
            }
        }
        uploader = thread
        thread.start()
    }
}

extension Failpoint {
    /// Test-only: `QDB_FAILPOINT_S3_FAIL_PART=N` makes the upload of part N fail, as a dropped
    /// connection would, so tests can watch the multipart upload being aborted.
    static func s3Part(_ number: Int) throws {
        guard let raw = ProcessInfo.processInfo.environment["QDB_FAILPOINT_S3_FAIL_PART"], Int(raw) == number else { return }
        throw S3Error(.unavailable, "S3 upload part \(number) failed (failpoint QDB_FAILPOINT_S3_FAIL_PART)")
    }
}
