import Foundation

/// A sparse vector as Qdrant's `SparseVector` (`lib/sparse/src/common/sparse_vector.rs`):
/// parallel lists of dimension ids (u32) and weights. Stored and returned sorted by index, as
/// Qdrant stores them (`StoredSparseVector` sorts both lists together).
public struct SparseVector: Sendable, Equatable {
    public var indices: [UInt32]
    public var values: [Float]

    public init(indices: [UInt32], values: [Float]) {
        self.indices = indices
        self.values = values
    }

    /// Qdrant's `validate_sparse_vector_impl`: equal lengths, unique indices; plus finite
    /// weights (a NaN would poison every score it touches).
    /// - Throws: `StorageError(.badInput)` with Qdrant's wording, prefixed by `path`.
    public func validate(at path: String) throws {
        var problems: [String] = []
        if indices.count != values.count { problems.append("\(path).values: must be the same length as indices") }
        if Set(indices).count != indices.count { problems.append("\(path).indices: must be unique") }
        if !values.allSatisfy(\.isFinite) { problems.append("\(path).values: must be finite numbers") }
        guard problems.isEmpty else {
            throw StorageError(.badInput, "Validation error in JSON body: [\(problems.joined(separator: ", "))]")
        }
    }

    /// Both lists ordered by index.
    public func sorted() -> SparseVector {
        if zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }) { return self }
        let order = indices.indices.sorted { indices[$0] < indices[$1] }
        return SparseVector(indices: order.map { indices[$0] }, values: order.map { values[$0] })
    }

    /// Dot product over the shared indices of two index-sorted vectors; nil when they share
    /// none (Qdrant and its local mode leave such points out of a sparse search).
    public func dot(_ other: SparseVector) -> Float? {
        var i = 0, j = 0
        var sum: Float = 0
        var overlap = false
        while i < indices.count, j < other.indices.count {
            let a = indices[i], b = other.indices[j]
            if a == b {
                sum += values[i] * other.values[j]
                overlap = true
                i += 1
                j += 1
            } else if a < b {
                i += 1
            } else {
                j += 1
            }
        }
        return overlap ? sum : nil
    }
}

/// `sparse_vectors.<name>` of a collection config: Qdrant's `SparseVectorParams`.
public struct SparseVectorParams: Codable, Sendable, Equatable {
    /// `index`: Qdrant's `SparseIndexParams`; every field optional.
    public struct Index: Codable, Sendable, Equatable {
        public var full_scan_threshold: Int?
        public var on_disk: Bool?
        /// `float32` (default), `float16` or `uint8`: the weights' type in the inverted index.
        public var datatype: String?

        public init(full_scan_threshold: Int? = nil, on_disk: Bool? = nil, datatype: String? = nil) {
            self.full_scan_threshold = full_scan_threshold
            self.on_disk = on_disk
            self.datatype = datatype
        }
    }

    public var index: Index?
    /// `idf` or `none` (Qdrant's `Modifier`); nil is none.
    public var modifier: String?

    public init(index: Index? = nil, modifier: String? = nil) {
        self.index = index
        self.modifier = modifier
    }

    public var usesIDF: Bool { modifier == "idf" }

    /// Checks the spellings Qdrant accepts.
    public func validate(name: String) throws {
        if let m = modifier, m != "idf", m != "none" {
            throw StorageError(.badInput, "Wrong input: sparse_vectors.\(name).modifier must be idf or none, got \(m)")
        }
        if let d = index?.datatype, !["float32", "float16", "uint8"].contains(d) {
            throw StorageError(.badInput, "Wrong input: sparse_vectors.\(name).index.datatype must be float32, float16 or uint8, got \(d)")
        }
        if let t = index?.full_scan_threshold, t < 0 {
            throw StorageError(.badInput, "Wrong input: sparse_vectors.\(name).index.full_scan_threshold must not be negative")
        }
        guard SegmentState.isSafeVectorName(name), !name.isEmpty else {
            throw StorageError(.badInput, "Wrong input: sparse vector name \"\(name)\" is not allowed")
        }
    }
}

/// Qdrant's IDF (`lib/segment/src/index/sparse_index/`, and its local mode's `_compute_idf`):
/// ln((n − df + 0.5) / (df + 0.5) + 1), with `n` the points that have the vector and `df` those
/// whose vector has the dimension.
public enum InverseDocumentFrequency {
    public static func idf(documentFrequency df: Int, documents n: Int) -> Float {
        let v = (Double(n) - Double(df) + 0.5) / (Double(df) + 0.5) + 1
        return Float(Foundation.log(v))
    }
}
