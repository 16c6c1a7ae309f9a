/// `multivector_config` of a dense vector: Qdrant's `MultiVectorConfig`
/// (`lib/segment/src/types.rs`). Qdrant 1.19 has one comparator, `max_sim`.
public struct MultiVectorConfig: Codable, Sendable, Equatable {
    public var comparator: String

    public init(comparator: String = "max_sim") {
        self.comparator = comparator
    }

    /// Checks the spelling Qdrant accepts.
    public func validate(name: String) throws {
        guard comparator == "max_sim" else {
            let label = name.isEmpty ? "vectors" : "vectors.\(name)"
            throw StorageError(.badInput, "Wrong input: \(label).multivector_config.comparator must be max_sim, got \(comparator)")
        }
    }
}

/// A multivector: a non-empty list of inner vectors of one dimension (Qdrant's
/// `MultiDenseVectorInternal`, `lib/segment/src/data_types/vectors.rs`).
public enum MultiVector {
    /// Qdrant's `validate_multi_vector_by_length` (`lib/common/common/src/validation.rs`):
    /// non-empty, no empty inner vector, fewer than `maxFlattened` numbers in all, one dimension.
    public static let maxFlattened = 1024 * 1024

    /// Qdrant's request validation (422, its messages), then the collection's dimension (400)
    /// and finite values.
    /// - Returns: the inner vectors, each preprocessed for `distance` (Cosine normalizes each,
    ///   but for uint8 storage) and converted to `datatype` as Qdrant converts them
    ///   (`VectorParams.prepare`).
    /// - Throws: `StorageError(.badInput)` with Qdrant's wording.
    public static func validated(
        _ m: [[Float]], dim: Int, distance: Distance, datatype: VectorDatatype = .float32, name: String
    ) throws -> [[Float]] {
        func invalid(_ message: String) -> StorageError {
            StorageError(.badInput, "Validation error in JSON body: [vector.\(label(name)).data: \(message)]")
        }
        guard let first = m.first else { throw invalid("multi vector must not be empty") }
        guard !m.contains(where: \.isEmpty) else { throw invalid("all vectors must be non-empty") }
        let total = m.reduce(0) { $0 + $1.count }
        guard total < maxFlattened else { throw invalid("Total size of all vectors (\(total)) must be less than \(maxFlattened)") }
        if let bad = m.first(where: { $0.count != first.count }) {
            throw invalid("all vectors must have the same dimension, found vector with dimension \(bad.count)")
        }
        for v in m where v.count != dim {
            throw StorageError(.badInput, "Wrong input: Vector dimension error: expected dim: \(dim), got \(v.count) for vector `\(label(name))`")
        }
        guard m.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw StorageError(.badInput, "Wrong input: multivector \(label(name)) has a NaN or infinite value")
        }
        switch datatype {
        case .float32: return m.map(distance.preprocess)
        case .float16: return m.map { distance.preprocess($0).map(datatype.convert) }
        case .uint8: return m.map { $0.map(datatype.convert) }
        }
    }

    static func label(_ name: String) -> String { name.isEmpty ? "(unnamed)" : name }

    /// Qdrant's `score_multi` with `max_sim` (`lib/segment/src/spaces/metric.rs`,
    /// `vector_storage/query_scorer/multi_metric_query_scorer.rs`): the sum over the query's
    /// vectors of the best similarity among the point's vectors. The similarity is the metric's
    /// internal one (dot product for Cosine and Dot, −squared distance for Euclid, −L1 distance
    /// for Manhattan), so a larger value is always better.
    /// Both sides are preprocessed already (Cosine: normalized); with `raw` (uint8 Cosine, never
    /// normalized) the similarity is the full cosine, as Qdrant's byte metric computes it.
    public static func maxSim(_ query: [[Float]], _ point: [[Float]], distance: Distance, raw: Bool = false) -> Float {
        var total: Float = 0
        for q in query {
            var best = -Float.infinity
            q.withUnsafeBufferPointer { qp in
                for v in point {
                    v.withUnsafeBufferPointer { vp in
                        let n = min(qp.count, vp.count)
                        let s: Float
                        switch distance {
                        case .cosine where raw: s = SIMDKernels.cosine(qp.baseAddress!, vp.baseAddress!, n)
                        case .cosine, .dot: s = SIMDKernels.dot(qp.baseAddress!, vp.baseAddress!, n)
                        case .euclid: s = -SIMDKernels.squaredL2(qp.baseAddress!, vp.baseAddress!, n)
                        case .manhattan: s = -SIMDKernels.l1(qp.baseAddress!, vp.baseAddress!, n)
                        }
                        if s > best { best = s }
                    }
                }
            }
            total += best
        }
        return total
    }

    /// The score Qdrant returns for an internal MaxSim value (`Metric::postprocess`): Euclid
    /// takes the square root of its magnitude, Manhattan the magnitude.
    public static func postprocess(_ s: Float, distance: Distance) -> Float {
        switch distance {
        case .cosine, .dot: return s
        case .euclid: return abs(s).squareRoot()
        case .manhattan: return abs(s)
        }
    }
}
