/// The vector parameters of one (named or unnamed) vector.
public struct VectorParams: Codable, Sendable, Equatable {
    public var size: Int
    public var distance: Distance
    public var on_disk: Bool?
    /// Set on a multivector (`CollectionConfig+Multi`): points hold a list of vectors here.
    public var multivector_config: MultiVectorConfig?
    /// The stored element type (`VectorDatatype.swift`); nil is float32, as in Qdrant.
    public var datatype: VectorDatatype?
    /// This vector's `HnswConfigDiff` over the collection's `hnsw_config` (Qdrant's per-vector
    /// index config), as given; applied by `CollectionConfig.hnsw(for:)`.
    public var hnsw_config: JSONValue?

    public init(size: Int, distance: Distance) {
        self.size = size
        self.distance = distance
    }
}

/// `vectors` in a collection config: one unnamed vector, or a map of named vectors.
/// The unnamed vector is stored under the empty name `""`, as Qdrant does internally.
public enum VectorsConfig: Codable, Sendable, Equatable {
    case single(VectorParams)
    case named([String: VectorParams])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        // An object with `size` or `distance` is one unnamed vector; anything else a map of names.
        // Decoding by shape (not by trial) keeps the error about a bad field precise.
        if let probe = try? c.decode([String: JSONValue].self), probe["size"] != nil || probe["distance"] != nil {
            self = .single(try c.decode(VectorParams.self))
        } else {
            self = .named(try c.decode([String: VectorParams].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .single(let p): try c.encode(p)
        case .named(let m): try c.encode(m)
        }
    }

    /// Every vector by its internal name (`""` for the unnamed one), sorted by name.
    public var byName: [(name: String, params: VectorParams)] {
        switch self {
        case .single(let p): return [("", p)]
        case .named(let m): return m.keys.sorted().map { ($0, m[$0]!) }
        }
    }

    public func params(_ name: String) -> VectorParams? {
        byName.first { $0.name == name }?.params
    }
}

public struct HnswConfig: Codable, Sendable, Equatable {
    public var m: Int = 16
    public var ef_construct: Int = 100
    public var full_scan_threshold: Int = 10000
    public var max_indexing_threads: Int = 0
    public var on_disk: Bool = false
    /// Extra links per indexed payload value (Qdrant's `payload_m`); nil = `m`.
    public var payload_m: Int?
    public init() {}
}

public struct OptimizerConfig: Codable, Sendable, Equatable {
    public var deleted_threshold: Double = 0.2
    public var vacuum_min_vector_number: Int = 1000
    public var default_segment_number: Int = 0
    public var max_segment_size: Int?
    public var memmap_threshold: Int?
    public var indexing_threshold: Int? = 10000
    public var flush_interval_sec: Int = 5
    public var max_optimization_threads: Int?
    public init() {}
}

public struct WalConfig: Codable, Sendable, Equatable {
    public var wal_capacity_mb: Int = 32
    public var wal_segments_ahead: Int = 0
    public var wal_retain_closed: Int = 1
    public init() {}
}

/// `params` of a collection config, named as Qdrant's `CollectionParams`.
public struct CollectionParams: Codable, Sendable, Equatable {
    public var vectors: VectorsConfig
    public var shard_number: Int = 1
    public var replication_factor: Int = 1
    public var write_consistency_factor: Int = 1
    public var on_disk_payload: Bool = true
    /// Sparse vectors by name (absent when the collection has none), as Qdrant's `sparse_vectors`.
    public var sparse_vectors: [String: SparseVectorParams]?

    public init(vectors: VectorsConfig, shardNumber: Int = 1) {
        self.vectors = vectors
        self.shard_number = shardNumber
    }
}

/// A collection's config, stored as `config.json` in Qdrant's `CollectionConfigInternal` shape.
public struct CollectionConfig: Codable, Sendable, Equatable {
    public var params: CollectionParams
    public var hnsw_config = HnswConfig()
    public var optimizer_config = OptimizerConfig()
    public var wal_config = WalConfig()
    public var quantization_config: JSONValue? = nil

    public init(params: CollectionParams) {
        self.params = params
    }

    /// Checks the values a create request may get wrong.
    public func validate() throws {
        guard params.shard_number >= 1, params.shard_number <= 1024 else {
            throw StorageError(.badInput, "Validation error: shard_number must be between 1 and 1024")
        }
        let vectors = params.vectors.byName
        if vectors.isEmpty, case .named = params.vectors {
            // Qdrant allows a collection with no dense vectors; so do we.
        }
        for (name, p) in vectors where p.size < 1 || p.size > 65536 {
            let label = name.isEmpty ? "vectors" : "vectors.\(name)"
            throw StorageError(.badInput, "Validation error: \(label).size must be between 1 and 65536, got \(p.size)")
        }
        try validateSparse()
        try validateMulti()
        for (name, p) in vectors where p.hnsw_config != nil { _ = try hnsw(for: name) }
    }
}

// Reading: a key Qdrant leaves out (it skips `None` and defaulted fields when it serializes a
// `config.json`) takes Qdrant's default instead of failing the restore; unknown keys are ignored.

extension HnswConfig {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        m = try c.decodeIfPresent(Int.self, forKey: .m) ?? m
        ef_construct = try c.decodeIfPresent(Int.self, forKey: .ef_construct) ?? ef_construct
        full_scan_threshold = try c.decodeIfPresent(Int.self, forKey: .full_scan_threshold) ?? full_scan_threshold
        max_indexing_threads = try c.decodeIfPresent(Int.self, forKey: .max_indexing_threads) ?? max_indexing_threads
        on_disk = try c.decodeIfPresent(Bool.self, forKey: .on_disk) ?? on_disk
        payload_m = try c.decodeIfPresent(Int.self, forKey: .payload_m)
    }
}

extension OptimizerConfig {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        deleted_threshold = try c.decodeIfPresent(Double.self, forKey: .deleted_threshold) ?? deleted_threshold
        vacuum_min_vector_number = try c.decodeIfPresent(Int.self, forKey: .vacuum_min_vector_number) ?? vacuum_min_vector_number
        default_segment_number = try c.decodeIfPresent(Int.self, forKey: .default_segment_number) ?? default_segment_number
        max_segment_size = try c.decodeIfPresent(Int.self, forKey: .max_segment_size)
        memmap_threshold = try c.decodeIfPresent(Int.self, forKey: .memmap_threshold)
        if c.contains(.indexing_threshold) { indexing_threshold = try c.decodeIfPresent(Int.self, forKey: .indexing_threshold) }
        flush_interval_sec = try c.decodeIfPresent(Int.self, forKey: .flush_interval_sec) ?? flush_interval_sec
        max_optimization_threads = try c.decodeIfPresent(Int.self, forKey: .max_optimization_threads)
    }
}

extension WalConfig {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        wal_capacity_mb = try c.decodeIfPresent(Int.self, forKey: .wal_capacity_mb) ?? wal_capacity_mb
        wal_segments_ahead = try c.decodeIfPresent(Int.self, forKey: .wal_segments_ahead) ?? wal_segments_ahead
        wal_retain_closed = try c.decodeIfPresent(Int.self, forKey: .wal_retain_closed) ?? wal_retain_closed
    }
}

extension CollectionParams {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // A sparse-only collection has no `vectors` (Qdrant's default: no dense vectors).
        self.init(vectors: try c.decodeIfPresent(VectorsConfig.self, forKey: .vectors) ?? .named([:]))
        sparse_vectors = try c.decodeIfPresent([String: SparseVectorParams].self, forKey: .sparse_vectors)
        shard_number = try c.decodeIfPresent(Int.self, forKey: .shard_number) ?? shard_number
        replication_factor = try c.decodeIfPresent(Int.self, forKey: .replication_factor) ?? replication_factor
        write_consistency_factor = try c.decodeIfPresent(Int.self, forKey: .write_consistency_factor) ?? write_consistency_factor
        on_disk_payload = try c.decodeIfPresent(Bool.self, forKey: .on_disk_payload) ?? on_disk_payload
    }
}

extension CollectionConfig {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(params: try c.decode(CollectionParams.self, forKey: .params))
        hnsw_config = try c.decodeIfPresent(HnswConfig.self, forKey: .hnsw_config) ?? hnsw_config
        optimizer_config = try c.decodeIfPresent(OptimizerConfig.self, forKey: .optimizer_config) ?? optimizer_config
        wal_config = try c.decodeIfPresent(WalConfig.self, forKey: .wal_config) ?? wal_config
        quantization_config = try c.decodeIfPresent(JSONValue.self, forKey: .quantization_config)
    }
}
