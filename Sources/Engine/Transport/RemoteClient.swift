import CCurl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A qdb/Qdrant server's REST API through libcurl, for the CLI's `--url` mode. Downloads stream
/// into a sink and uploads stream from a source (chunked multipart), so archives of any size pass
/// through in bounded memory. A non-2xx answer throws `RemoteError` with the server's message.
public struct RemoteClient: Sendable {
    public let baseURL: String
    public let apiKey: String?

    /// `s` as one percent-encoded path segment (a collection or snapshot name).
    public static func pathSegment(_ s: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    public init(baseURL: String, apiKey: String?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
    }

    /// A call's JSON `result`, as raw JSON bytes of the whole envelope.
    public func json(_ method: String, _ path: String, body: [UInt8]? = nil) throws -> [UInt8] {
        let memory = MemorySink()
        try perform(method, path, body: body.map(Body.bytes), into: memory)
        return memory.bytes
    }

    /// Streams a GET response body into `sink`.
    public func download(_ path: String, to sink: any ByteSink) throws {
        try perform("GET", path, body: nil, into: sink)
    }

    /// POSTs `source` as multipart field `snapshot` (chunked, streamed) and returns the envelope.
    public func upload(_ path: String, from source: any ByteSource) throws -> [UInt8] {
        let memory = MemorySink()
        try perform("POST", path, body: .multipart(source), into: memory)
        return memory.bytes
    }

    enum Body {
        case bytes([UInt8])
        case multipart(any ByteSource)
    }

    final class Context {
        let sink: any ByteSink
        let source: (any ByteSource)?
        var status = 0
        var errorBody: [UInt8] = []
        var failure: (any Error)?
        init(sink: any ByteSink, source: (any ByteSource)?) {
            self.sink = sink
            self.source = source
        }
    }

    func perform(_ method: String, _ path: String, body: Body?, into sink: any ByteSink) throws {
        CurlGlobal.initialize()
        guard let curl = curl_easy_init() else { throw RemoteError(status: 0, message: "libcurl failed to start") }
        defer { curl_easy_cleanup(curl) }
        var source: (any ByteSource)?
        if case .multipart(let s) = body { source = s }
        let context = Context(sink: sink, source: source)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        var headers: UnsafeMutablePointer<curl_slist>?
        if let apiKey { headers = curl_slist_append(headers, "api-key: \(apiKey)") }
        if case .bytes = body { headers = curl_slist_append(headers, "Content-Type: application/json") }
        defer { curl_slist_free_all(headers) }
        var mime: OpaquePointer?
        defer { if mime != nil { curl_mime_free(mime) } }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let write: curl_write_callback = { data, size, count, user in
            let ctx = Unmanaged<Context>.fromOpaque(user!).takeUnretainedValue()
            let total = size * count
            let raw = UnsafeRawBufferPointer(start: data, count: total)
            if ctx.status >= 300 || ctx.status == 0 {
                ctx.errorBody.append(contentsOf: raw.prefix(1 << 16))
                return total
            }
            do { try ctx.sink.write(raw) } catch {
                ctx.failure = error
                return 0
            }
            return total
        }
        let header: curl_write_callback = { data, size, count, user in
            let ctx = Unmanaged<Context>.fromOpaque(user!).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
            if line.hasPrefix("HTTP/"), let code = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                ctx.status = code
            }
            return size * count
        }
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { eb in
            _ = qdb_curl_setopt_str(curl, CURLOPT_URL, baseURL + path)
            _ = qdb_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
            _ = qdb_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, 30)
            _ = qdb_curl_setopt_str(curl, CURLOPT_PROTOCOLS_STR, "http,https")
            _ = qdb_curl_setopt_ptr(curl, CURLOPT_ERRORBUFFER, eb.baseAddress)
            _ = qdb_curl_setopt_str(curl, CURLOPT_CUSTOMREQUEST, method)
            _ = qdb_curl_setopt_write(curl, write)
            _ = qdb_curl_setopt_ptr(curl, CURLOPT_WRITEDATA, unmanaged.toOpaque())
            _ = qdb_curl_setopt_header(curl, header)
            _ = qdb_curl_setopt_ptr(curl, CURLOPT_HEADERDATA, unmanaged.toOpaque())
            switch body {
            case .bytes(let bytes)?:
                bytes.withUnsafeBufferPointer { b in
                    _ = qdb_curl_setopt_long(curl, CURLOPT_POSTFIELDSIZE, b.count)
                    _ = qdb_curl_setopt_ptr(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: b.baseAddress))
                }
            case .multipart?:
                mime = curl_mime_init(curl)
                let part = curl_mime_addpart(mime)
                curl_mime_name(part, "snapshot")
                curl_mime_filename(part, "snapshot")
                curl_mime_type(part, "application/octet-stream")
                let read: curl_read_callback = { buffer, size, count, user in
                    let ctx = Unmanaged<Context>.fromOpaque(user!).takeUnretainedValue()
                    do {
                        return try ctx.source!.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
                    } catch {
                        ctx.failure = error
                        return Int(CURL_READFUNC_ABORT)
                    }
                }
                curl_mime_data_cb(part, -1, read, nil, nil, unmanaged.toOpaque())
                _ = qdb_curl_setopt_ptr(curl, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(mime))
            case nil:
                if method == "HEAD" { _ = qdb_curl_setopt_long(curl, CURLOPT_NOBODY, 1) }
            }
            _ = qdb_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headers)
            return curl_easy_perform(curl)
        }
        if let failure = context.failure { throw failure }
        guard code == CURLE_OK else {
            let text = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw RemoteError(status: 0, message: "cannot reach \(baseURL): \(text.isEmpty ? String(cString: curl_easy_strerror(code)) : text)")
        }
        guard (200..<300).contains(context.status) else {
            throw RemoteError(status: context.status, message: RemoteError.message(from: context.errorBody, status: context.status))
        }
    }
}

/// A non-2xx answer (status > 0) or an unreachable server (status 0).
public struct RemoteError: Error, CustomStringConvertible, Sendable {
    public var status: Int
    public var message: String
    public var description: String { message }

    /// The error text of Qdrant's envelope `{"status":{"error":…}}`, or the raw body.
    static func message(from body: [UInt8], status: Int) -> String {
        struct Envelope: Decodable { struct S: Decodable { var error: String }; var status: S }
        if let e = try? JSONDecoder().decode(Envelope.self, from: Data(body)) { return "server answered \(status): \(e.status.error)" }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return "server answered \(status)" + (text.isEmpty ? "" : ": \(text)")
    }
}

/// Collects bytes in memory (small JSON answers only).
final class MemorySink: ByteSink {
    var bytes: [UInt8] = []
    func write(_ raw: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: raw) }
    func close() throws {}
}
