import CCurl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one error type of the transport domain (HTTP(S) through libcurl).
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The server answered with a non-2xx status.
        case httpStatus(Int)
        /// No connection, DNS failure, TLS failure, stalled transfer.
        case unavailable
    }

    public var code: Code
    public var message: String
    public var description: String { message }
}

/// A `ByteSource` over an HTTP(S) GET: libcurl runs on its own thread and writes the body into a
/// pipe that `read` drains, so a download streams straight into whatever reads it (the tar
/// unpacker) with no temp copy and bounded memory. `api-key` is sent when given.
/// After the reader is done, `finish()` reports the transfer's outcome (HTTP status, curl error).
public final class HTTPSource: ByteSource, @unchecked Sendable {
    public let url: String
    private let transfer: PipedTransfer

    /// How long a download may take and how slowly it may run before it is given up.
    public struct Limits: Sendable, Equatable {
        /// No byte for this many seconds aborts the transfer (Qdrant: 60 s); it is also the
        /// window over which `minimumRate` is averaged.
        public var idleTimeout: Int
        /// The whole transfer's deadline, in seconds (0: none).
        public var totalTimeout: Int
        /// Lowest average rate in bytes per second over an `idleTimeout` window (0: only the
        /// inactivity rule).
        public var minimumRate: Int

        public init(idleTimeout: Int = 60, totalTimeout: Int = 24 * 3600, minimumRate: Int = 1024) {
            self.idleTimeout = idleTimeout
            self.totalTimeout = totalTimeout
            self.minimumRate = minimumRate
        }
    }

    /// Starts the GET under `limits`.
    public init(url: String, apiKey: String?, limits: Limits = Limits()) throws {
        self.url = url
        CurlGlobal.initialize()
        transfer = try PipedTransfer(pipeError: TransportError(code: .unavailable, message: "cannot create a pipe")) { fd in
            if case .failure(let e) = CurlTransfer.get(url: url, apiKey: apiKey, limits: limits, to: fd) { return e }
            return nil
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try transfer.read(into: buffer, error: TransportError(code: .unavailable, message: "reading the download of \(url) failed"))
    }

    /// Waits for the transfer to end and throws if it failed. Closing the read end first makes
    /// curl stop early when the reader gave up.
    public func finish() throws { try transfer.finish() }
}

/// One `curl_global_init` per process.
enum CurlGlobal {
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func initialize() { _ = initialized }
}

/// A blocking libcurl transfer writing the response body to a file descriptor.
enum CurlTransfer {
    final class Context {
        let fd: Int32
        var failed = false
        init(fd: Int32) { self.fd = fd }
    }

    static func get(url: String, apiKey: String?, limits: HTTPSource.Limits, to fd: Int32) -> Result<Int, TransportError> {
        guard let curl = curl_easy_init() else { return .failure(TransportError(code: .unavailable, message: "libcurl failed to start")) }
        defer { curl_easy_cleanup(curl) }
        let context = Context(fd: fd)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        var headers: UnsafeMutablePointer<curl_slist>?
        if let apiKey { headers = curl_slist_append(headers, "api-key: \(apiKey)") }
        defer { curl_slist_free_all(headers) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let write: curl_write_callback = { data, size, count, user in
            let ctx = Unmanaged<Context>.fromOpaque(user!).takeUnretainedValue()
            let total = size * count
            var off = 0
            while off < total {
                let n = Glibc.write(ctx.fd, data! + off, total - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    ctx.failed = true
                    return 0  // the reader closed the pipe: abort the transfer
                }
                off += n
            }
            return total
        }
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { eb in
            _ = qdb_curl_setopt_str(curl, CURLOPT_URL, url)
            _ = qdb_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
            _ = qdb_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 1)
            _ = qdb_curl_setopt_long(curl, CURLOPT_FAILONERROR, 1)
            _ = qdb_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, 30)
            _ = qdb_curl_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, max(1, limits.minimumRate))
            _ = qdb_curl_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, limits.idleTimeout)
            if limits.totalTimeout > 0 { _ = qdb_curl_setopt_long(curl, CURLOPT_TIMEOUT, limits.totalTimeout) }
            _ = qdb_curl_setopt_str(curl, CURLOPT_PROTOCOLS_STR, "http,https")
            _ = qdb_curl_setopt_str(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            _ = qdb_curl_setopt_ptr(curl, CURLOPT_ERRORBUFFER, eb.baseAddress)
            _ = qdb_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headers)
            _ = qdb_curl_setopt_write(curl, write)
            _ = qdb_curl_setopt_ptr(curl, CURLOPT_WRITEDATA, unmanaged.toOpaque())
            return curl_easy_perform(curl)
        }
        var status = 0
        _ = qdb_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        if code == CURLE_OK { return .success(status) }
        if code == CURLE_HTTP_RETURNED_ERROR {
            let reasons = [400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"]
            let reason = reasons[status] ?? "Error"
            return .failure(TransportError(code: .httpStatus(status), message: "Failed to download tar from \(url): status - \(status) \(reason)"))
        }
        let text = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = text.isEmpty ? String(cString: curl_easy_strerror(code)) : text
        return .failure(TransportError(code: .unavailable, message: "Failed to download \(url): \(detail)"))
    }
}
