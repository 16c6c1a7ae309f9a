import Engine
import Foundation
import Hummingbird
import NIOCore

/// An error as the REST API reports it: an HTTP status and Qdrant's error envelope
/// `{"status":{"error":"…"},"time":…}` — JSON on every route, including downloads and auth
/// failures where Qdrant answers in plain text.
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Envelope.error(status, message, headers: headers)
    }

    /// Maps any error thrown by a handler to the status and text Qdrant uses, with the server's
    /// own directories redacted from the text (`PathRedaction`).
    static func from(_ error: Error) -> APIError {
        var e = mapped(error)
        e.message = PathRedaction.redact(e.message)
        return e
    }

    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    private static func mapped(_ error: Error) -> APIError {
        if let errno = Self.diskFullErrno(error) {
            return APIError(insufficientStorage, "Insufficient storage: No space left on device (os error \(errno)); free some disk space and retry")
        }
        switch error {
        case let e as APIError: return e
        case let e as StorageError:
            switch e.code {
            case .notFound: return APIError(.notFound, "Not found: \(e.message)")
            case .alreadyExists: return APIError(.conflict, e.message)
            case .badInput:
                if e.message.hasPrefix("Validation error") { return APIError(.unprocessableContent, e.message) }
                return APIError(.badRequest, e.message.hasPrefix("Wrong input") ? e.message : "Wrong input: \(e.message)")
            case .locked: return APIError(.serviceUnavailable, e.message)
            case .insufficientStorage: return APIError(insufficientStorage, "Insufficient storage: \(e.message)")
            case .io, .corrupt: return APIError(.internalServerError, "Service internal error: \(e.message)")
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "Payload too large: the request body is over the configured limit (service.max_request_size_mb)")
        case let e as SnapshotError:
            switch e.code {
            case .notFound: return APIError(.notFound, "Not found: \(e.message)")
            case .badInput, .checksumMismatch, .corrupt: return APIError(.badRequest, "Wrong input: \(e.message)")
            case .forbidden: return APIError(.forbidden, "Forbidden: \(e.message)")
            case .busy: return APIError(.serviceUnavailable, e.message)
            case .io: return APIError(.internalServerError, "Service internal error: \(e.message)")
            case .insufficientStorage: return APIError(insufficientStorage, "Insufficient storage: \(e.message)")
            }
        case let e as S3Error:
            switch e.code {
            case .notFound: return APIError(.notFound, "Not found: \(e.message)")
            case .unavailable: return APIError(.serviceUnavailable, "Service unavailable: \(e.message)")
            case .noSuchBucket, .accessDenied, .failed: return APIError(.badRequest, "Bad request: \(e.message)")
            }
        case let e as OperationError:
            switch e.code {
            case .notFound: return APIError(.notFound, "Not found: \(e.message)")
            case .cancelled, .finished: return APIError(.conflict, e.message)
            case .badInput: return APIError(.badRequest, "Wrong input: \(e.message)")
            case .locked: return APIError(.serviceUnavailable, e.message)
            }
        case let e as TransportError:
            return APIError(.badRequest, "Bad request: \(e.message)")
        case let e as ArchiveError:
            switch e.code {
            case .insufficientStorage: return APIError(insufficientStorage, "Insufficient storage: \(e.message)")
            default: return APIError(.badRequest, "Wrong input: \(e.message)")
            }
        case let e as BoundsError:
            return APIError(.badRequest, "Wrong input: \(e)")
        case let e as DecodingError:
            return APIError(.badRequest, "Format error in JSON body: \(describe(e))")
        case let e as HTTPError:
            if e.status == .contentTooLarge {
                return APIError(.contentTooLarge, "Payload too large: the request body is over the configured limit (service.max_request_size_mb)")
            }
            if e.status == .notFound { return APIError(.notFound, "Not found: no such route") }
            return APIError(e.status, e.body ?? e.status.reasonPhrase)
        default:
            return APIError(.internalServerError, "Service internal error: \(error)")
        }
    }

    /// The errno of an error that is a full disk however it was wrapped: NIO's `IOError` (upload
    /// spools written by Hummingbird), or a POSIX error code.
    private static func diskFullErrno(_ error: Error) -> Int32? {
        if let e = error as? IOError, e.errnoCode == ENOSPC || e.errnoCode == EDQUOT { return e.errnoCode }
        if let e = error as? POSIXError, e.code == .ENOSPC || e.code == .EDQUOT { return e.code.rawValue }
        return nil
    }

    private static func describe(_ e: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "" : " at `\(p)`"
        }
        switch e {
        case .dataCorrupted(let c):
            if let underlying = c.underlyingError { return "\(c.debugDescription)\(path(c)) (\(underlying.localizedDescription))" }
            return "\(c.debugDescription)\(path(c))"
        case .keyNotFound(let k, let c): return "missing field `\(k.stringValue)`\(path(c))"
        case .typeMismatch(let t, let c): return "expected \(t)\(path(c)): \(c.debugDescription)"
        case .valueNotFound(let t, let c): return "expected \(t)\(path(c)), got null"
        @unknown default: return "\(e)"
        }
    }
}

/// Qdrant's response envelopes.
enum Envelope {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    struct OK<T: Encodable>: Encodable {
        var result: T
        var status = "ok"
        var time: Double
    }

    struct Accepted: Encodable {
        var status = "accepted"
        var time: Double
    }

    struct Failure: Encodable {
        struct Status: Encodable { var error: String }
        var status: Status
        var time: Double
    }

    static func ok(_ result: some Encodable, time: Double, status: HTTPResponse.Status = .ok) throws -> Response {
        json(status, try encoder.encode(OK(result: result, time: time)))
    }

    static func accepted(time: Double) -> Response {
        json(.accepted, (try? encoder.encode(Accepted(time: time))) ?? Data())
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        var r = json(status, (try? encoder.encode(Failure(status: .init(error: message), time: 0))) ?? Data())
        r.headers.append(contentsOf: headers)
        return r
    }

    static func json(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
