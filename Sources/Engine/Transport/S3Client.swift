import CCurl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Access key and secret of an S3 account. `description` never shows the secret, so a value
/// that ends up in a log or an error message leaks nothing.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKey: String
    public var secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    /// Parses the seed's `ACCESS_KEY:SECRET_KEY` form (the recover body's `api_key`).
    public init?(pair: String) {
        guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex, pair.index(after: colon) != pair.endIndex else { return nil }
        self.init(accessKey: String(pair[..<colon]), secretKey: String(pair[pair.index(after: colon)...]))
    }

    public var description: String { "S3Credentials(<redacted>)" }
}

/// Where a bucket is and how to reach it.
public struct S3Endpoint: Sendable, Equatable {
    /// `http(s)://host[:port]` without a path, or nil for AWS (`https://s3.<region>.amazonaws.com`).
    public var endpointURL: String?
    public var region: String
    public var bucket: String
    public var credentials: S3Credentials?
    /// Path-style (`endpoint/bucket/key`) or virtual-host style (`bucket.endpoint/key`) URLs.
    /// Default: path-style with a custom `endpoint_url` (what S3-compatible servers expect),
    /// virtual-host on AWS.
    public var pathStyle: Bool

    public init(endpointURL: String?, region: String, bucket: String, credentials: S3Credentials?, pathStyle: Bool? = nil) {
        let trimmed = endpointURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.endpointURL = trimmed?.isEmpty == true ? nil : trimmed
        self.region = region.isEmpty ? "us-east-1" : region
        self.bucket = bucket
        self.credentials = credentials
        self.pathStyle = pathStyle ?? (self.endpointURL != nil)
    }

    /// The URL of `key` (nil: the bucket itself) with a canonical, sorted query string, so the
    /// string libcurl signs is the canonical request S3 computes.
    public func url(key: String?, query: [(String, String)] = []) -> String {
        let base = endpointURL ?? "https://s3.\(region).amazonaws.com"
        var url: String
        if pathStyle {
            url = base + "/" + S3Endpoint.encode(bucket, keepSlash: false)
        } else {
            let scheme = base.range(of: "://").map { String(base[..<$0.upperBound]) } ?? "https://"
            url = scheme + bucket + "." + base.dropFirst(scheme.count)
        }
        if let key { url += "/" + S3Endpoint.encode(key, keepSlash: true) } else if !pathStyle { url += "/" }
        if !query.isEmpty {
            url += "?" + query.sorted { $0.0 < $1.0 }.map { S3Endpoint.encode($0.0, keepSlash: false) + "=" + S3Endpoint.encode($0.1, keepSlash: false) }
                .joined(separator: "&")
        }
        return url
    }

    /// SigV4 URI encoding: everything but `A-Za-z0-9-._~` (and `/` in keys) as uppercase `%XX`.
    public static func encode(_ s: String, keepSlash: Bool) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }
}

/// The one error type of S3 transport. Messages name the operation, bucket and key, and S3's
/// own error code; never a credential.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// No such key (404 NoSuchKey, or 404 on HEAD).
        case notFound
        /// The bucket does not exist.
        case noSuchBucket
        /// Wrong or missing credentials, or no permission (403).
        case accessDenied
        /// Connection failure, timeout, or 5xx after every retry.
        case unavailable
        /// Any other refusal (4xx) or an answer that makes no sense.
        case failed
    }

    public var code: Code
    public var message: String
    public var status: Int

    public init(_ code: Code, _ message: String, status: Int = 0) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String { message }
}

/// A small S3 client over libcurl: AWS SigV4 signing by libcurl (`CURLOPT_AWS_SIGV4`), the
/// payload hash sent as `x-amz-content-sha256` (signed), retries with exponential backoff on
/// connection errors and 5xx. Each call is one blocking request on the calling thread.
public struct S3Client: Sendable {
    public let endpoint: S3Endpoint
    /// Retries after the first attempt (5xx, 429 and connection errors only).
    public var retries: Int
    /// Backoff before retry n (0-based): `baseDelay * 2^n`, at most 8 s, plus jitter.
    public var baseDelay: Double

    public static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(endpoint: S3Endpoint, retries: Int = 4, baseDelay: Double = 0.2) {
        self.endpoint = endpoint
        self.retries = retries
        self.baseDelay = baseDelay
    }

    /// One answer: status, the headers that matter, and the body (when not streamed).
    public struct Response: Sendable {
        public var status: Int
        public var etag: String?
        public var lastModified: String?
        public var contentLength: Int64?
        public var body: [UInt8]
    }

    /// Sends a request with retries and returns the 2xx answer; any other outcome throws `S3Error`.
    /// - Parameters:
    ///   - body: the request body (held in memory: parts, small objects, XML).
    ///   - what: the operation, for messages ("upload part 3 of snapshots/c/x.snapshot").
    public func send(
        _ method: String, key: String?, query: [(String, String)] = [], headers: [String] = [],
        body: UnsafeRawBufferPointer? = nil, what: String
    ) throws -> Response {
        // An empty key would address the bucket itself (DELETE would delete the bucket).
        guard key != "" else { throw S3Error(.failed, "S3 \(what): empty object key") }
        var attempt = 0
        while true {
            let outcome = S3Transfer.perform(
                endpoint: endpoint, method: method, url: endpoint.url(key: key, query: query), headers: headers, body: body, sink: nil)
            switch outcome {
            case .success(let r) where (200..<300).contains(r.status):
                return r
            case .success(let r) where !S3Client.retryable(status: r.status) || attempt >= retries:
                throw S3Client.error(for: r, what: what, key: key, endpoint: endpoint)
            case .failure(let e) where attempt >= retries:
                throw S3Error(.unavailable, "S3 \(what) failed after \(attempt + 1) attempts: \(e.message)")
            default:
                S3Client.backoff(attempt, base: baseDelay)
                attempt += 1
            }
        }
    }

    static func retryable(status: Int) -> Bool { status >= 500 || status == 429 || status == 0 }

    static func backoff(_ attempt: Int, base: Double) {
        let delay = min(8.0, base * pow(2.0, Double(attempt))) * Double.random(in: 0.8...1.2)
        usleep(useconds_t(delay * 1_000_000))
    }

    /// Turns a non-2xx answer into an `S3Error` with S3's `<Code>` and `<Message>`.
    static func error(for r: Response, what: String, key: String?, endpoint: S3Endpoint) -> S3Error {
        let parsed = S3XML.error(r.body)
        let s3code = parsed?.code ?? ""
        let detail = parsed.map { " (\($0.code)\($0.message.isEmpty ? "" : ": \($0.message)"))" } ?? ""
        let target = "s3://\(endpoint.bucket)" + (key.map { "/" + $0 } ?? "")
        switch (r.status, s3code) {
        case (_, "NoSuchBucket"):
            return S3Error(.noSuchBucket, "S3 bucket `\(endpoint.bucket)` does not exist\(detail); create it or fix the bucket name", status: r.status)
        case (404, _), (_, "NoSuchKey"), (_, "NoSuchUpload"):
            return S3Error(.notFound, "S3 \(what): \(target) not found\(detail)", status: r.status)
        case (401, _), (403, _):
            return S3Error(.accessDenied, "S3 \(what) on \(target) was refused: HTTP \(r.status)\(detail); check the access key and secret key", status: r.status)
        case (500..., _), (429, _):
            return S3Error(.unavailable, "S3 \(what) on \(target) failed: HTTP \(r.status)\(detail)", status: r.status)
        default:
            return S3Error(.failed, "S3 \(what) on \(target) failed: HTTP \(r.status)\(detail)", status: r.status)
        }
    }
}

/// One libcurl request. The response body goes to `sink` (a streamed GET) once the status is
/// 2xx, or into memory otherwise.
enum S3Transfer {
    final class Context {
        let sink: ((UnsafeRawBufferPointer) -> Bool)?
        var response = S3Client.Response(status: 0, etag: nil, lastModified: nil, contentLength: nil, body: [])
        var aborted = false
        init(sink: ((UnsafeRawBufferPointer) -> Bool)?) { self.sink = sink }
    }

    struct Failure: Error {
        var message: String
        /// True when the transfer ended because `sink` refused bytes.
        var aborted: Bool
        /// What had arrived before the failure (status, ETag).
        var partial: S3Client.Response? = nil
    }

    static func perform(
        endpoint: S3Endpoint, method: String, url: String, headers: [String], body: UnsafeRawBufferPointer?,
        sink: ((UnsafeRawBufferPointer) -> Bool)?
    ) -> Result<S3Client.Response, Failure> {
        CurlGlobal.initialize()
        guard let curl = curl_easy_init() else { return .failure(Failure(message: "libcurl failed to start", aborted: false)) }
        defer { curl_easy_cleanup(curl) }
        let context = Context(sink: sink)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        var list: UnsafeMutablePointer<curl_slist>?
        let payloadHash = body.map { raw -> String in
            let h = SHA256Hasher()
            h.update(raw)
            return h.finalizeHex()
        } ?? S3Client.emptySHA256
        for h in headers + ["x-amz-content-sha256: \(payloadHash)"] { list = curl_slist_append(list, h) }
        if body != nil, !headers.contains(where: { $0.lowercased().hasPrefix("content-type:") }) {
            list = curl_slist_append(list, "Content-Type: application/octet-stream")
        }
        defer { curl_slist_free_all(list) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let write: curl_write_callback = { data, size, count, user in
            let ctx = Unmanaged<Context>.fromOpaque(user!).takeUnretainedValue()
            let raw = UnsafeRawBufferPointer(start: data, count: size * count)
            if let sink = ctx.sink, (200..<300).contains(ctx.response.status) {
                if !sink(raw) {
                    ctx.aborted = true
                    return 0
                }
            } else if ctx.response.body.count < 4 << 20 {
                ctx.response.body.append(contentsOf: raw)
            }
            return size * count
        }
        let header: curl_write_callback = { data, size, count, user in
            let ctx = Unmanaged<Context>.fromOpaque(user!).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                ctx.response.status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                return size * count
            }
            guard let colon = line.firstIndex(of: ":") else { return size * count }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            switch name {
            case "etag": ctx.response.etag = value
            case "last-modified": ctx.response.lastModified = value
            case "content-length": ctx.response.contentLength = Int64(value)
            default: break
            }
            return size * count
        }
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { eb in
            _ = qdb_curl_setopt_str(curl, CURLOPT_URL, url)
            _ = qdb_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
            _ = qdb_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, 30)
            _ = qdb_curl_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
            _ = qdb_curl_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, 120)
            _ = qdb_curl_setopt_str(curl, CURLOPT_PROTOCOLS_STR, "http,https")
            _ = qdb_curl_setopt_str(curl, CURLOPT_USERAGENT, "qdb/\(engineVersion)")
            _ = qdb_curl_setopt_ptr(curl, CURLOPT_ERRORBUFFER, eb.baseAddress)
            if let credentials = endpoint.credentials {
                _ = qdb_curl_setopt_str(curl, CURLOPT_AWS_SIGV4, "aws:amz:\(endpoint.region):s3")
                _ = qdb_curl_setopt_str(curl, CURLOPT_USERNAME, credentials.accessKey)
                _ = qdb_curl_setopt_str(curl, CURLOPT_PASSWORD, credentials.secretKey)
            }
            _ = qdb_curl_setopt_write(curl, write)
            _ = qdb_curl_setopt_ptr(curl, CURLOPT_WRITEDATA, unmanaged.toOpaque())
            _ = qdb_curl_setopt_header(curl, header)
            _ = qdb_curl_setopt_ptr(curl, CURLOPT_HEADERDATA, unmanaged.toOpaque())
            _ = qdb_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, list)
            if method == "HEAD" {
                _ = qdb_curl_setopt_long(curl, CURLOPT_NOBODY, 1)
            } else {
                _ = qdb_curl_setopt_str(curl, CURLOPT_CUSTOMREQUEST, method)
            }
            if let body {
                _ = qdb_curl_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                _ = qdb_curl_setopt_ptr(curl, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
            return curl_easy_perform(curl)
        }
        if code == CURLE_OK { return .success(context.response) }
        let text = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .failure(Failure(
            message: text.isEmpty ? String(cString: curl_easy_strerror(code)) : text, aborted: context.aborted, partial: context.response))
    }
}
