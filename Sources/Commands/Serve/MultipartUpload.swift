import Engine
import Foundation
import Hummingbird

/// Streams one file field of a `multipart/form-data` body to a sink, never holding the body in
/// memory: a boundary scanner over large chunks (multipart-kit's parser splits at every CR byte
/// and measured 61 MiB/s here; this one keeps up with the disk).
struct MultipartUpload {
    let delimiter: [UInt8]  // "\r\n--" + boundary
    let field: String
    let maxBytes: Int

    /// The boundary from a `Content-Type: multipart/form-data; boundary=…` header.
    static func boundary(from contentType: String?) throws -> String {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw APIError(.badRequest, "Bad request: expected a multipart/form-data body with a `snapshot` file field")
        }
        for part in contentType.split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces)
            if kv.lowercased().hasPrefix("boundary=") {
                let b = kv.dropFirst(9).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                guard !b.isEmpty, b.utf8.count <= 200 else { break }
                return b
            }
        }
        throw APIError(.badRequest, "Bad request: multipart/form-data without a boundary")
    }

    init(boundary: String, field: String, maxBytes: Int) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.field = field
        self.maxBytes = maxBytes
    }

    enum State { case preamble, headers, body(wanted: Bool), done }

    /// Reads `body`, passing the bytes of field `field` to `write` in order. Returns the part's
    /// filename. Throws 400 if the field is missing or the body is malformed, 413 past `maxBytes`.
    func extract(_ body: RequestBody, write: ([UInt8]) async throws -> Void) async throws -> String? {
        var pending: [UInt8] = Array("\r\n".utf8)  // lets the first boundary match the delimiter
        var state = State.preamble
        var found = false
        var filename: String?
        var written = 0
        for try await chunk in body {
            pending.append(contentsOf: chunk.readableBytesView)
            var progress = true
            while progress {
                progress = false
                switch state {
                case .preamble:
                    if let i = find(delimiter, in: pending) {
                        pending.removeSubrange(0..<(i + delimiter.count))
                        state = .headers
                        progress = true
                    } else if pending.count > 64 * 1024 {
                        throw APIError(.badRequest, "Bad request: malformed multipart body (no boundary)")
                    }
                case .headers:
                    if pending.count >= 2, pending[0] == UInt8(ascii: "-"), pending[1] == UInt8(ascii: "-") {
                        state = .done
                    } else if let i = find(Array("\r\n\r\n".utf8), in: pending) {
                        let text = String(decoding: pending[0..<i], as: UTF8.self)
                        pending.removeSubrange(0..<(i + 4))
                        let (name, file) = MultipartUpload.disposition(text)
                        let wanted = name == field && !found
                        if wanted { found = true; filename = file }
                        state = .body(wanted: wanted)
                        progress = true
                    } else if pending.count > 16 * 1024 {
                        throw APIError(.badRequest, "Bad request: multipart part headers are too large")
                    }
                case .body(let wanted):
                    let end = find(delimiter, in: pending)
                    let take = end ?? max(0, pending.count - delimiter.count)
                    if take > 0 && wanted {
                        written += take
                        guard written <= maxBytes else {
                            throw APIError(.contentTooLarge, "Payload too large: the upload is over service.max_upload_size_mb")
                        }
                    }
                    if let end {
                        if take > 0 && wanted { try await write(Array(pending[0..<take])) }
                        pending.removeSubrange(0..<(end + delimiter.count))
                        state = .headers
                        progress = true
                    } else if take > 0 {
                        // Hand the buffer itself over and keep only its tail (which may begin a
                        // delimiter): the bulk of the body is not copied again.
                        let tail = Array(pending[take...])
                        pending.removeLast(pending.count - take)
                        let out = pending
                        pending = tail
                        if wanted { try await write(out) }
                    }
                case .done:
                    break
                }
            }
        }
        guard case .done = state else { throw APIError(.badRequest, "Bad request: the multipart body ended early (truncated upload)") }
        guard found else { throw APIError(.badRequest, "Bad request: the multipart body has no `\(field)` field") }
        return filename
    }

    /// `name` and `filename` of a part's Content-Disposition header.
    static func disposition(_ headers: String) -> (String?, String?) {
        var name: String?
        var file: String?
        for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for param in line.split(separator: ";").dropFirst() {
                let kv = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2 else { continue }
                let value = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                if kv[0].lowercased() == "name" { name = value }
                if kv[0].lowercased() == "filename" { file = value }
            }
        }
        return (name, file)
    }

    /// First index of `needle` in `hay` (memchr on the first byte, then compare).
    func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count, let first = needle.first else { return nil }
        return hay.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                var i = 0
                let last = hay.count - needle.count
                while i <= last {
                    guard let p = memchr(h.baseAddress! + i, Int32(first), last - i + 1) else { return nil }
                    let at = h.baseAddress!.distance(to: UnsafeRawPointer(p))
                    if memcmp(h.baseAddress! + at, n.baseAddress!, needle.count) == 0 { return at }
                    i = at + 1
                }
                return nil
            }
        }
    }
}
