/// A point as an upsert request gives it: vectors by name (`""` for the unnamed vector).
public struct PointInput: Sendable {
    public var id: PointID
    public var vectors: [String: [Float]]
    public var payload: Payload
    /// Sparse vectors by name.
    public var sparse: [String: SparseVector]
    /// Multivectors by name (`Collection+Multi`).
    public var multi: [String: [[Float]]]

    public init(
        id: PointID, vectors: [String: [Float]], payload: Payload = [:], sparse: [String: SparseVector] = [:],
        multi: [String: [[Float]]] = [:]
    ) {
        self.id = id
        self.vectors = vectors
        self.payload = payload
        self.sparse = sparse
        self.multi = multi
    }
}

/// A point as read back. `payload` and `vectors` are nil where the request did not ask for them.
public struct Record: Sendable {
    public var id: PointID
    public var version: UInt64
    public var payload: Payload?
    public var vectors: [String: [Float]]?
    /// Sparse vectors by name; nil where `vectors` is nil.
    public var sparseVectors: [String: SparseVector]? = nil
    /// Multivectors by name; nil where `vectors` is nil.
    public var multiVectors: [String: [[Float]]]? = nil
    /// Set on search results.
    public var score: Float?
    /// Set on `order_by` results: the payload value the point was ordered by.
    public var orderValue: JSONValue? = nil
}

/// Which points a write applies to.
public enum PointSelector: Sendable {
    case ids([PointID])
    case filter(Filter)
}

/// Which payload keys to return (`with_payload`).
public enum PayloadSelector: Sendable, Equatable {
    case all
    case none
    case include([String])
    case exclude([String])

    func apply(_ p: Payload) -> Payload? {
        switch self {
        case .all: return p
        case .none: return nil
        case .include(let keys): return PayloadSelectorTree(keys.compactMap { try? JSONPath($0) }).include(p)
        case .exclude(let keys): return PayloadSelectorTree(keys.compactMap { try? JSONPath($0) }).exclude(p)
        }
    }
}

/// Which vectors to return (`with_vector`).
public enum VectorSelector: Sendable, Equatable {
    case all
    case none
    case names([String])

    var wantsAny: Bool { self != .none }
}

/// What `search` needs.
public struct SearchRequest: Sendable {
    public var vector: [Float]
    public var using: String
    public var filter: Filter?
    public var limit: Int
    public var offset: Int
    public var scoreThreshold: Float?
    public var payload: PayloadSelector
    public var vectors: VectorSelector
    /// `params`: `hnsw_ef`, `exact`, `indexed_only` (`Index/IndexSettings.swift`).
    public var params = SearchParams()

    public init(
        vector: [Float], using: String = "", filter: Filter? = nil, limit: Int = 10, offset: Int = 0,
        scoreThreshold: Float? = nil, payload: PayloadSelector = .none, vectors: VectorSelector = .none
    ) {
        self.vector = vector
        self.using = using
        self.filter = filter
        self.limit = limit
        self.offset = offset
        self.scoreThreshold = scoreThreshold
        self.payload = payload
        self.vectors = vectors
    }
}
