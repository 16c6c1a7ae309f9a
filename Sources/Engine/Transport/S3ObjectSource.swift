import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A source fed by a transfer running on its own thread. After the reader is done (or gave up),
/// `finish()` waits for the transfer and throws its failure, so a broken download is reported as
/// what it was rather than as the truncated archive it left behind.
public protocol TransferSource: ByteSource {
    func finish() throws
}

extension HTTPSource: TransferSource {}

/// A `ByteSource` over an S3 GET: libcurl runs on its own thread and writes the body into a pipe
/// that `read` drains, so an object streams into the unpacker (or a response, or `verify`) with
/// no temp copy and bounded memory. A connection error or 5xx in the middle is retried with
/// backoff from the byte where it stopped (`Range` plus `If-Match` on the first ETag, so a
/// replaced object is never spliced).
public final class S3ObjectSource: TransferSource, @unchecked Sendable {
    public let client: S3Client
    public let key: String
    private let transfer: PipedTransfer

    public init(client: S3Client, key: String) throws {
        self.client = client
        self.key = key
        transfer = try PipedTransfer(pipeError: S3Error(.failed, "cannot create a pipe for the S3 download")) { fd in
            S3ObjectSource.transfer(client: client, key: key, to: fd)
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try transfer.read(into: buffer, error: S3Error(.unavailable, "reading the S3 download of \(key) failed"))
    }

    public func finish() throws { try transfer.finish() }

    /// The GET loop: returns nil on success, or the error that ended it.
    static func transfer(client: S3Client, key: String, to fd: Int32) -> S3Error? {
        var delivered: Int64 = 0
        var etag: String?
        var attempt = 0
        var readerGone = false
        let write: (UnsafeRawBufferPointer) -> Bool = { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    readerGone = true
                    return false
                }
                off += n
            }
            delivered += Int64(raw.count)
            return true
        }
        while true {
            var headers: [String] = []
            if delivered > 0 {
                headers.append("Range: bytes=\(delivered)-")
                if let etag { headers.append("If-Match: \(etag)") }
            }
            let result = S3Transfer.perform(
                endpoint: client.endpoint, method: "GET", url: client.endpoint.url(key: key), headers: headers, body: nil, sink: write)
            if readerGone { return nil }  // the reader stopped early; it knows why
            switch result {
            case .success(let r) where (200..<300).contains(r.status):
                return nil
            case .success(let r) where !S3Client.retryable(status: r.status) || attempt >= client.retries:
                return S3Client.error(for: r, what: "download", key: key, endpoint: client.endpoint)
            case .failure(let e) where attempt >= client.retries:
                return S3Error(.unavailable, "S3 download of s3://\(client.endpoint.bucket)/\(key) failed after \(attempt + 1) attempts: \(e.message)")
            case .success(let r):
                if etag == nil { etag = r.etag }
            case .failure(let e):
                if etag == nil, let p = e.partial, (200..<300).contains(p.status) { etag = p.etag }
            }
            S3Client.backoff(attempt, base: client.baseDelay)
            attempt += 1
        }
    }
}
