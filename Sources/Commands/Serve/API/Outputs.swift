import Engine

/// Response shapes of the REST API.

/// A point's vectors as Qdrant prints them: a plain list for the unnamed vector, else by name.
struct VectorOutput: Encodable {
    var vectors: [String: [Float]]
    var sparse: [String: SparseVector] = [:]
    var multi: [String: [[Float]]] = [:]

    init(vectors: [String: [Float]], sparse: [String: SparseVector]? = nil, multi: [String: [[Float]]]? = nil) {
        self.vectors = vectors
        self.sparse = sparse ?? [:]
        self.multi = multi ?? [:]
    }

    init?(_ r: Record) {
        guard let v = r.vectors else { return nil }
        self.init(vectors: v, sparse: r.sparseVectors, multi: r.multiVectors)
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if sparse.isEmpty, multi.isEmpty, vectors.count == 1, let v = vectors[""] { return try c.encode(v) }
        if sparse.isEmpty, vectors.isEmpty, multi.count == 1, let m = multi[""] { return try c.encode(m) }
        guard !sparse.isEmpty || !multi.isEmpty else { return try c.encode(vectors) }
        var all: [String: One] = vectors.mapValues { .dense($0) }
        for (name, s) in sparse { all[name] = .sparse(indices: s.indices, values: s.values) }
        for (name, m) in multi { all[name] = .multi(m) }
        try c.encode(all)
    }

    /// One named vector: a list of numbers, `{"indices", "values"}`, or a list of lists.
    enum One: Encodable {
        case dense([Float])
        case sparse(indices: [UInt32], values: [Float])
        case multi([[Float]])

        private enum K: String, CodingKey { case indices, values }

        func encode(to encoder: Encoder) throws {
            switch self {
            case .dense(let v):
                var c = encoder.singleValueContainer()
                try c.encode(v)
            case .multi(let m):
                var c = encoder.singleValueContainer()
                try c.encode(m)
            case .sparse(let i, let v):
                var c = encoder.container(keyedBy: K.self)
                try c.encode(i, forKey: .indices)
                try c.encode(v, forKey: .values)
            }
        }
    }
}

struct RecordOutput: Encodable {
    var id: PointID
    var payload: Payload?
    var vector: VectorOutput?
    var order_value: JSONValue?

    init(_ r: Record) {
        id = r.id
        payload = r.payload
        vector = VectorOutput(r)
        order_value = r.orderValue
    }
}

struct ScoredPointOutput: Encodable {
    var id: PointID
    var version: UInt64
    var score: Float
    var payload: Payload?
    var vector: VectorOutput?
    var order_value: JSONValue?

    init(_ r: Record) {
        id = r.id
        version = r.version
        score = r.score ?? 0
        payload = r.payload
        vector = VectorOutput(r)
        order_value = r.orderValue
    }
}

/// `points/query/groups` and the legacy `*/groups`: `{"groups": [{id, hits, lookup}]}`.
struct GroupsOutput: Encodable {
    struct Group: Encodable {
        var id: JSONValue
        var hits: [ScoredPointOutput]
        var lookup: RecordOutput?
    }
    var groups: [Group]

    init(_ groups: [PointGroup]) {
        self.groups = groups.map { g in
            Group(id: g.id, hits: g.hits.map(ScoredPointOutput.init), lookup: g.lookup.map(RecordOutput.init))
        }
    }
}

struct FacetOutput: Encodable {
    struct Hit: Encodable { var value: JSONValue; var count: Int }
    var hits: [Hit]
}

struct MatrixPairsOutput: Encodable {
    struct Pair: Encodable { var a: PointID; var b: PointID; var score: Float }
    var pairs: [Pair]

    init(_ m: DistanceMatrix) {
        pairs = zip(m.ids, m.rows).flatMap { a, row in row.map { Pair(a: a, b: m.ids[$0.index], score: $0.score) } }
    }
}

struct MatrixOffsetsOutput: Encodable {
    var offsets_row: [Int]
    var offsets_col: [Int]
    var scores: [Float]
    var ids: [PointID]

    init(_ m: DistanceMatrix) {
        offsets_row = m.rows.enumerated().flatMap { i, row in row.map { _ in i } }
        offsets_col = m.rows.flatMap { $0.map(\.index) }
        scores = m.rows.flatMap { $0.map(\.score) }
        ids = m.ids
    }
}

struct QueryResponse: Encodable {
    var points: [ScoredPointOutput]
}

struct ScrollResponse: Encodable {
    var points: [RecordOutput]
    var next_page_offset: PointID?

    func encode(to encoder: Encoder) throws {
        enum K: String, CodingKey { case points, next_page_offset }
        var c = encoder.container(keyedBy: K.self)
        try c.encode(points, forKey: .points)
        try c.encode(next_page_offset, forKey: .next_page_offset)  // explicit null, as Qdrant
    }
}

struct UpdateResult: Encodable {
    var operation_id: UInt64
    var status: String
}

struct CountResult: Encodable { var count: Int }
struct ExistsResult: Encodable { var exists: Bool }

struct CollectionsList: Encodable {
    struct Item: Encodable { var name: String }
    var collections: [Item]
}

struct AliasesList: Encodable {
    struct Item: Encodable { var alias_name: String; var collection_name: String }
    var aliases: [Item]
}
