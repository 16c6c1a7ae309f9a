import Foundation

/// An incremental `multipart/form-data` scanner that passes one file field's bytes on, never
/// holding the body: fed chunk by chunk, it returns the pieces of the wanted field's content
/// found so far (the caller writes them), keeps at most one delimiter's length of lookahead plus
/// the bounded part headers, and checks every size against its caps (the bounds policy).
///
/// A pure state machine with no I/O, so the server's upload route and the fuzz target run the
/// same code. (multipart-kit's parser splits at every CR byte and measured 61 MiB/s here; this
/// scanner uses `memchr` over large chunks.)
public struct MultipartScanner {
    /// Why a body was refused.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public enum Code: Sendable, Equatable { case malformed, tooLarge }
        public var code: Code
        public var message: String
        public var description: String { message }
    }

    public let field: String
    public let maxBytes: Int
    /// The wanted part's filename, once its headers were read.
    public private(set) var filename: String?
    /// Bytes of the wanted field passed on so far.
    public private(set) var written = 0

    private let delimiter: [UInt8]  // "\r\n--" + boundary
    private var pending: [UInt8] = Array("\r\n".utf8)  // lets the first boundary match the delimiter
    private var state = State.preamble
    private var found = false

    enum State { case preamble, headers, body(wanted: Bool), done }

    /// Largest preamble and part-header block accepted.
    public static let maxPreamble = 64 * 1024
    public static let maxHeaders = 16 * 1024

    public init(boundary: String, field: String, maxBytes: Int) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.field = field
        self.maxBytes = maxBytes
    }

    /// Feeds the next chunk of the body and returns the wanted field's bytes it completed, in
    /// order (the buffer itself is handed over where possible, so the bulk is not copied again).
    public mutating func feed(_ chunk: some Sequence<UInt8>) throws -> [[UInt8]] {
        pending.append(contentsOf: chunk)
        var out: [[UInt8]] = []
        var progress = true
        while progress {
            progress = false
            switch state {
            case .preamble:
                if let i = find(delimiter, in: pending) {
                    pending.removeSubrange(0..<(i + delimiter.count))
                    state = .headers
                    progress = true
                } else if pending.count > Self.maxPreamble {
                    throw Failure(code: .malformed, message: "malformed multipart body (no boundary)")
                }
            case .headers:
                if pending.count >= 2, pending[0] == UInt8(ascii: "-"), pending[1] == UInt8(ascii: "-") {
                    state = .done
                } else if let i = find(Array("\r\n\r\n".utf8), in: pending) {
                    let text = String(decoding: pending[0..<i], as: UTF8.self)
                    pending.removeSubrange(0..<(i + 4))
                    let (name, file) = MultipartScanner.disposition(text)
                    let wanted = name == field && !found
                    if wanted {
                        found = true
                        filename = file
                    }
                    state = .body(wanted: wanted)
                    progress = true
                } else if pending.count > Self.maxHeaders {
                    throw Failure(code: .malformed, message: "multipart part headers are too large")
                }
            case .body(let wanted):
                let end = find(delimiter, in: pending)
                let take = end ?? max(0, pending.count - delimiter.count)
                if take > 0 && wanted {
                    written += take
                    guard written <= maxBytes else {
                        throw Failure(code: .tooLarge, message: "the upload is over service.max_upload_size_mb")
                    }
                }
                if let end {
                    if take > 0 && wanted { out.append(Array(pending[0..<take])) }
                    pending.removeSubrange(0..<(end + delimiter.count))
                    state = .headers
                    progress = true
                } else if take > 0 {
                    let tail = Array(pending[take...])
                    pending.removeLast(pending.count - take)
                    if wanted { out.append(pending) }
                    pending = tail
                }
            case .done:
                if pending.count > Self.maxPreamble { pending.removeAll() }  // the epilogue is ignored
            }
        }
        return out
    }

    /// Called at the end of the body: throws if it ended early or lacked the field.
    /// - Returns: the wanted part's filename.
    public func finish() throws -> String? {
        guard case .done = state else { throw Failure(code: .malformed, message: "the multipart body ended early (truncated upload)") }
        guard found else { throw Failure(code: .malformed, message: "the multipart body has no `\(field)` field") }
        return filename
    }

    /// `name` and `filename` of a part's Content-Disposition header.
    public static func disposition(_ headers: String) -> (String?, String?) {
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
