import Engine
import Foundation
import Hummingbird

/// Streams one file field of a `multipart/form-data` body to a sink, never holding the body in
/// memory: a boundary scanner over large chunks (multipart-kit's parser splits at every CR byte
/// and measured 61 MiB/s here; this one keeps up with the disk).
struct MultipartUpload {
    let boundary: String
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
        self.boundary = boundary
        self.field = field
        self.maxBytes = maxBytes
    }

    /// Reads `body`, passing the bytes of field `field` to `write` in order. Returns the part's
    /// filename. Throws 400 if the field is missing or the body is malformed, 413 past `maxBytes`.
    /// The scanning is Engine's `MultipartScanner` (which the fuzz target exercises).
    func extract(_ body: RequestBody, write: ([UInt8]) async throws -> Void) async throws -> String? {
        var scanner = MultipartScanner(boundary: boundary, field: field, maxBytes: maxBytes)
        do {
            for try await chunk in body {
                for piece in try scanner.feed(chunk.readableBytesView) { try await write(piece) }
            }
            return try scanner.finish()
        } catch let e as MultipartScanner.Failure {
            switch e.code {
            case .tooLarge: throw APIError(.contentTooLarge, "Payload too large: \(e.message)")
            case .malformed: throw APIError(.badRequest, "Bad request: \(e.message)")
            }
        }
    }
}
