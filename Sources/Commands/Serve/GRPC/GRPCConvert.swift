import Engine
import Foundation
import QdrantProto
import SwiftProtobuf

/// Conversions between Qdrant's gRPC messages and the engine's types. Requests are checked for
/// fields qdb does not serve (`GRPCCall.rejectUnknownFields`) as they are read.
enum GRPCConvert {
    static func badInput(_ message: String) -> APIError { APIError(.badRequest, "Wrong input: \(message)") }

    // MARK: ids and payloads

    static func pointID(_ p: Qdrant_PointId) throws -> PointID {
        try GRPCCall.rejectUnknownFields(p)
        switch p.pointIDOptions {
        case .num(let n)?: return .number(n)
        case .uuid(let s)?:
            guard let id = PointID(string: s), case .uuid = id else { throw badInput("`\(s)` is not a valid point id (a UUID)") }
            return id
        case nil: throw badInput("a point id must be an unsigned integer or a UUID")
        }
    }

    static func proto(_ id: PointID) -> Qdrant_PointId {
        var p = Qdrant_PointId()
        switch id {
        case .number(let n): p.num = n
        case .uuid: p.uuid = id.description
        }
        return p
    }

    static func json(_ v: Qdrant_Value) throws -> JSONValue {
        try GRPCCall.rejectUnknownFields(v)
        switch v.kind {
        case .nullValue?: return .null
        case .doubleValue(let d)?: return .double(d)
        case .integerValue(let i)?: return .int(i)
        case .stringValue(let s)?: return .string(s)
        case .boolValue(let b)?: return .bool(b)
        case .structValue(let s)?: return .object(try payload(s.fields))
        case .listValue(let l)?: return .array(try l.values.map(json))
        case nil: throw badInput("a payload value has no kind set")
        }
    }

    static func payload(_ fields: [String: Qdrant_Value]) throws -> Payload {
        try fields.mapValues(json)
    }

    static func proto(_ v: JSONValue) -> Qdrant_Value {
        var p = Qdrant_Value()
        switch v {
        case .null: p.nullValue = .nullValue
        case .bool(let b): p.boolValue = b
        case .int(let i): p.integerValue = i
        case .uint(let u): if u <= UInt64(Int64.max) { p.integerValue = Int64(u) } else { p.doubleValue = Double(u) }
        case .double(let d): p.doubleValue = d
        case .string(let s): p.stringValue = s
        case .array(let a):
            var list = Qdrant_ListValue()
            list.values = a.map(proto)
            p.listValue = list
        case .object(let o):
            var s = Qdrant_Struct()
            s.fields = o.mapValues(proto)
            p.structValue = s
        }
        return p
    }

    static func proto(_ payload: Payload?) -> [String: Qdrant_Value] {
        (payload ?? [:]).mapValues(proto)
    }

    // MARK: selectors

    static func payloadSelector(_ s: Qdrant_WithPayloadSelector?, default value: PayloadSelector) throws -> PayloadSelector {
        guard let s else { return value }
        try GRPCCall.rejectUnknownFields(s)
        switch s.selectorOptions {
        case .enable(let b)?: return b ? .all : .none
        case .include(let i)?: return .include(i.fields)
        case .exclude(let e)?: return .exclude(e.fields)
        case nil: return value
        }
    }

    static func vectorSelector(_ s: Qdrant_WithVectorsSelector?, default value: VectorSelector) throws -> VectorSelector {
        guard let s else { return value }
        try GRPCCall.rejectUnknownFields(s)
        switch s.selectorOptions {
        case .enable(let b)?: return b ? .all : .none
        case .include(let i)?: return .names(i.names)
        case nil: return value
        }
    }

    // MARK: vectors

    static func sparse(_ s: Qdrant_SparseVector) throws -> SparseVector {
        try GRPCCall.rejectUnknownFields(s)
        return SparseVector(indices: s.indices, values: s.values)
    }

    /// One vector of a point: dense (`dense`, or the deprecated `data`) or sparse (`sparse`, or
    /// the deprecated `data` + `indices`), as Qdrant reads them.
    static func vector(_ v: Qdrant_Vector) throws -> (dense: [Float]?, sparse: SparseVector?) {
        try GRPCCall.rejectUnknownFields(v)
        switch v.vector {
        case .dense(let d)?: return (d.data, nil)
        case .sparse(let s)?: return (nil, try sparse(s))
        case .multiDense?: return (nil, nil)  // `multiVectors(_:)` (GRPCConvert+Multi) takes it
        case nil:
            if v.hasIndices { return (nil, SparseVector(indices: v.indices.data, values: v.data)) }
            return (v.data, nil)
        }
    }

    /// A point's vectors, dense and sparse, by name (`""` for the unnamed one).
    static func vectors(_ v: Qdrant_Vectors) throws -> (dense: [String: [Float]], sparse: [String: SparseVector]) {
        try GRPCCall.rejectUnknownFields(v)
        var dense: [String: [Float]] = [:], sparse: [String: SparseVector] = [:]
        let all: [String: Qdrant_Vector]
        switch v.vectorsOptions {
        case .vector(let one)?: all = ["": one]
        case .vectors(let named)?:
            try GRPCCall.rejectUnknownFields(named)
            all = named.vectors
        case nil: all = [:]
        }
        for (name, x) in all {
            let (d, s) = try vector(x)
            if let d { dense[name] = d }
            if let s { sparse[name] = s }
        }
        return (dense, sparse)
    }

    /// A point's vectors as Qdrant returns them: the unnamed vector alone, else by name; sparse
    /// ones in `sparse`.
    static func proto(_ vectors: [String: [Float]], sparse: [String: SparseVector] = [:]) -> Qdrant_VectorsOutput {
        func output(_ data: [Float]) -> Qdrant_VectorOutput {
            var o = Qdrant_VectorOutput()
            var d = Qdrant_DenseVector()
            d.data = data
            o.dense = d
            return o
        }
        func output(_ v: SparseVector) -> Qdrant_VectorOutput {
            var o = Qdrant_VectorOutput()
            var s = Qdrant_SparseVector()
            s.indices = v.indices
            s.values = v.values
            o.sparse = s
            return o
        }
        var out = Qdrant_VectorsOutput()
        if vectors.count == 1, sparse.isEmpty, let v = vectors[""] {
            out.vector = output(v)
        } else {
            var named = Qdrant_NamedVectorsOutput()
            named.vectors = vectors.mapValues(output).merging(sparse.mapValues(output)) { a, _ in a }
            out.vectors = named
        }
        return out
    }

    static func retrieved(_ r: Record) -> Qdrant_RetrievedPoint {
        var p = Qdrant_RetrievedPoint()
        p.id = proto(r.id)
        p.payload = proto(r.payload)
        if let v = proto(r) { p.vectors = v }
        return p
    }

    static func scored(_ r: Record) -> Qdrant_ScoredPoint {
        var p = Qdrant_ScoredPoint()
        p.id = proto(r.id)
        p.payload = proto(r.payload)
        p.score = r.score ?? 0
        p.version = r.version
        if let v = proto(r) { p.vectors = v }
        return p
    }

    static func point(_ p: Qdrant_PointStruct) throws -> PointInput {
        try GRPCCall.rejectUnknownFields(p)
        guard p.hasID else { throw badInput("every point needs an id") }
        let v = p.hasVectors ? try vectors(p.vectors) : (dense: [:], sparse: [:])
        return PointInput(
            id: try pointID(p.id), vectors: v.dense, payload: try payload(p.payload), sparse: v.sparse,
            multi: p.hasVectors ? try multiVectors(p.vectors) : [:])
    }

    static func int(_ n: UInt64) -> Int { Int(clamping: n) }
}

extension GRPCConvert {
    /// A dense example vector (legacy recommend/discover): a sparse one is refused.
    static func floats(_ v: Qdrant_Vector) throws -> [Float] {
        let (d, s) = try vector(v)
        guard s == nil, let d else { throw badInput("a sparse or multi vector is not a dense example; use the query API") }
        return d
    }
}
