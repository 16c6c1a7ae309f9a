import Engine
import QdrantProto

/// Multivectors over gRPC, in Qdrant's `.proto` fields: `Vector.multi_dense` (103) and
/// `VectorOutput.multi_dense` on points, `VectorInput.multi_dense` (4) in queries,
/// `VectorParams.multivector_config` (7) in collection configs.
extension GRPCConvert {
    static func multi(_ m: Qdrant_MultiDenseVector) throws -> [[Float]] {
        try GRPCCall.rejectUnknownFields(m)
        return try m.vectors.map { d in
            try GRPCCall.rejectUnknownFields(d)
            return d.data
        }
    }

    static func isMulti(_ v: Qdrant_Vector) -> Bool {
        if case .multiDense? = v.vector { return true }
        return false
    }

    /// A point's multivectors by name (its dense vectors are `vectors(_:)`'s).
    static func multiVectors(_ v: Qdrant_Vectors) throws -> [String: [[Float]]] {
        var out: [String: [[Float]]] = [:]
        func take(_ name: String, _ one: Qdrant_Vector) throws {
            guard case .multiDense(let m)? = one.vector else { return }
            try GRPCCall.rejectUnknownFields(one)
            out[name] = try multi(m)
        }
        switch v.vectorsOptions {
        case .vector(let one)?: try take("", one)
        case .vectors(let named)?: for (name, one) in named.vectors { try take(name, one) }
        case nil: break
        }
        return out
    }

    /// A record's vectors as Qdrant returns them: the unnamed vector alone, else by name (dense,
    /// sparse and multi).
    static func proto(_ r: Record) -> Qdrant_VectorsOutput? {
        guard r.vectors != nil || r.sparseVectors != nil || r.multiVectors != nil else { return nil }
        let dense = r.vectors ?? [:], sparse = r.sparseVectors ?? [:], multi = r.multiVectors ?? [:]
        guard !multi.isEmpty else { return proto(dense, sparse: sparse) }
        func output(_ m: [[Float]]) -> Qdrant_VectorOutput {
            var o = Qdrant_VectorOutput()
            var md = Qdrant_MultiDenseVector()
            md.vectors = m.map { v in
                var d = Qdrant_DenseVector()
                d.data = v
                return d
            }
            o.multiDense = md
            return o
        }
        var out = proto(dense, sparse: sparse)
        if dense.isEmpty, sparse.isEmpty, multi.count == 1, let m = multi[""] {
            out.vector = output(m)
            return out
        }
        var named = out.vectors
        for (name, m) in multi { named.vectors[name] = output(m) }
        out.vectors = named
        return out
    }
}

extension CollectionsGRPC {
    /// `multivector_config` of a vector's params (Qdrant has one comparator, `MaxSim`).
    static func multiConfig(_ p: Qdrant_VectorParams) throws -> MultiVectorConfig? {
        guard p.hasMultivectorConfig else { return nil }
        try GRPCCall.rejectUnknownFields(p.multivectorConfig)
        guard p.multivectorConfig.comparator == .maxSim else {
            throw GRPCConvert.badInput("multivector_config.comparator must be MaxSim")
        }
        return MultiVectorConfig()
    }

    static func setMultiConfig(_ v: VectorParams, on p: inout Qdrant_VectorParams) {
        guard v.multivector_config != nil else { return }
        var m = Qdrant_MultiVectorConfig()
        m.comparator = .maxSim
        p.multivectorConfig = m
    }
}
