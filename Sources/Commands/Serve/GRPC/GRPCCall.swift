import Engine
import Foundation
import GRPCCore
import QdrantProto
import SwiftProtobuf

/// A gRPC response with Qdrant's `time` field (seconds spent on the request).
protocol TimedResponse: Sendable {
    var time: Double { get set }
}

extension Qdrant_CreateSnapshotResponse: TimedResponse {}
extension Qdrant_ListSnapshotsResponse: TimedResponse {}
extension Qdrant_DeleteSnapshotResponse: TimedResponse {}
extension Qdrant_RecoverSnapshotResponse: TimedResponse {}
extension Qdrant_CollectionOperationResponse: TimedResponse {}
extension Qdrant_GetCollectionInfoResponse: TimedResponse {}
extension Qdrant_ListCollectionsResponse: TimedResponse {}
extension Qdrant_CollectionExistsResponse: TimedResponse {}
extension Qdrant_PointsOperationResponse: TimedResponse {}
extension Qdrant_GetResponse: TimedResponse {}
extension Qdrant_ScrollResponse: TimedResponse {}
extension Qdrant_CountResponse: TimedResponse {}
extension Qdrant_QueryResponse: TimedResponse {}
extension Qdrant_SearchResponse: TimedResponse {}

/// An `APIError` thrown anywhere in a gRPC handler (request checks before `GRPCCall.run` too)
/// reaches the client with the code its HTTP status maps to and REST's message, never as INTERNAL.
extension APIError: RPCErrorConvertible {
    var rpcErrorCode: RPCError.Code { GRPCCall.code(httpStatus: status.code) }
    var rpcErrorMessage: String { message }
}

/// How every gRPC handler runs: the engine work on the engine queue (as REST's `Call.respond`),
/// `time` filled in, and any error turned into the `RPCError` that carries REST's message.
enum GRPCCall {
    static func run<T: TimedResponse>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            var response = try await Blocking.run(work)
            response.time = (ContinuousClock.now - start).seconds
            return response
        } catch {
            throw rpcError(error)
        }
    }

    /// Maps any error to the gRPC status Qdrant uses, with the REST API's message: the HTTP status
    /// REST would answer decides the code.
    static func rpcError(_ error: any Error) -> RPCError {
        if let e = error as? RPCError { return e }
        let e = APIError.from(error)
        return RPCError(code: code(httpStatus: e.status.code), message: e.message)
    }

    static func code(httpStatus: Int) -> RPCError.Code {
        switch httpStatus {
        case 400, 422: return .invalidArgument
        case 401: return .unauthenticated
        case 403: return .permissionDenied
        case 404: return .notFound
        case 409: return .alreadyExists
        case 413, 507: return .resourceExhausted
        case 416: return .outOfRange
        case 503: return .unavailable
        case 504: return .deadlineExceeded
        default: return .internalError
        }
    }

    /// Refuses a message carrying fields qdb's schema does not have (sparse vectors, shard keys,
    /// geo conditions, …): serving it with the field ignored would give a wrong answer.
    static func rejectUnknownFields(_ message: some SwiftProtobuf.Message) throws {
        guard !message.unknownFields.data.isEmpty else { return }
        let numbers = unknownFieldNumbers([UInt8](message.unknownFields.data))
        let list = numbers.map(String.init).joined(separator: ", ")
        throw APIError(
            .badRequest,
            "Wrong input: qdb does not support field\(numbers.count == 1 ? "" : "s") \(list) of \(type(of: message).protoMessageName)")
    }

    /// The field numbers in a run of unknown protobuf fields (each tag is a varint: number << 3 | wire type).
    static func unknownFieldNumbers(_ data: [UInt8]) -> [Int] {
        var numbers: [Int] = []
        var i = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while i < data.count, shift < 64 {
                let b = data[i]
                i += 1
                value |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while i < data.count, let tag = varint() {
            let number = Int(tag >> 3)
            if !numbers.contains(number) { numbers.append(number) }
            switch tag & 7 {
            case 0: _ = varint()
            case 1: i += 8
            case 2: i += Int(varint() ?? UInt64(data.count))
            case 5: i += 4
            default: i = data.count  // groups: not used by Qdrant's schema; stop here
            }
        }
        return numbers
    }
}

