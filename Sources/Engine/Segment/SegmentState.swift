import Foundation

/// `segment.json` of a Qdrant segment: Qdrant's `SegmentState` (`lib/segment/src/types.rs`,
/// v1.19.0), spelled exactly as Qdrant writes it:
///
///     {"initial_version": 21|null, "version": 21|null,
///      "config": {"vector_data": {"<name>": {"size", "distance", "storage_type", "index",
///                                             "quantization_config", "multivector_config"?, "datatype"?}},
///                 "sparse_vector_data"?: {…}, "payload_storage_type": {"type": "mmap"}}}
///
/// `version` is the last operation applied to the segment; `initial_version` the operation at
/// which an optimizer built it (null for appendable segments). Unknown keys are ignored when
/// reading; values qdb does not interpret (HNSW options, quantization) are kept as they are.
public struct SegmentState: Codable, Sendable, Equatable {
    public var initial_version: UInt64?
    public var version: UInt64?
    public var config: SegmentConfig

    public init(initialVersion: UInt64?, version: UInt64?, config: SegmentConfig) {
        initial_version = initialVersion
        self.version = version
        self.config = config
    }

    enum CodingKeys: String, CodingKey { case initial_version, version, config }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initial_version = try c.decodeIfPresent(UInt64.self, forKey: .initial_version)
        version = try c.decodeIfPresent(UInt64.self, forKey: .version)
        config = try c.decode(SegmentConfig.self, forKey: .config)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(initial_version, forKey: .initial_version)  // null, not absent, as Qdrant
        try c.encode(version, forKey: .version)
        try c.encode(config, forKey: .config)
    }

    public static let fileName = "segment.json"

    /// Parses `segment.json`, checking what a loader relies on: known enum spellings, sizes in
    /// range, and safe vector names (they become directory names).
    public static func read(validating bytes: [UInt8]) throws -> SegmentState {
        let state: SegmentState
        do {
            state = try JSONDecoder().decode(SegmentState.self, from: Data(bytes))
        } catch {
            throw SegmentFormatError(.corrupt, fileName, "not a valid SegmentState (\(Self.describe(error)))")
        }
        _ = try SegmentSchema.sparseParams(of: state.config)
        for (name, v) in state.config.vector_data {
            guard v.size >= 1, v.size <= 65536 else {
                throw SegmentFormatError(.corrupt, fileName, "vector \"\(name)\" has size \(v.size), outside 1…65536")
            }
            guard SegmentState.isSafeVectorName(name) else {
                throw SegmentFormatError(.corrupt, fileName, "vector name \"\(name)\" cannot be a directory name")
            }
            if v.storage_type == .memory {
                throw SegmentFormatError(.unsupported, fileName, "vector \"\(name)\" uses Memory (RocksDB) storage, which Qdrant 1.19 no longer reads either")
            }
            if let d = v.datatype, VectorDatatype(rawValue: d) == nil {
                throw SegmentFormatError(.unsupported, fileName, "vector \"\(name)\" is stored as \(d); qdb reads float32, float16 and uint8 vectors")
            }
        }
        return state
    }

    /// No `/`, no NUL, not `.`/`..`: the name is a suffix of `vector_storage-<name>`.
    static func isSafeVectorName(_ name: String) -> Bool {
        !name.contains("/") && !name.contains("\0") && name != "." && name != ".." && name.utf8.count <= 200
    }

    /// A short description of a decoding error of untrusted JSON: the key path only. Foundation's
    /// own descriptions of errors in hostile input are never printed (one for damaged bytes asked
    /// for tens of gigabytes in a fuzz run).
    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let k, let ctx): return "missing \(path(ctx.codingPath + [k]))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(path(ctx.codingPath))"
        case DecodingError.dataCorrupted(let ctx): return ctx.codingPath.isEmpty ? "not valid JSON" : "invalid value at \(path(ctx.codingPath))"
        case let e as SegmentFormatError: return e.message
        default: return "not valid JSON"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "top level" : keys.map(\.stringValue).joined(separator: ".")
    }

    /// Whether the segment takes appends (`VectorDataConfig::is_appendable` for every vector):
    /// then its id tracker is the mutable one.
    public var isAppendable: Bool { config.vector_data.values.allSatisfy(\.isAppendable) }
}

/// `SegmentConfig`: the vectors and the payload storage of a segment.
public struct SegmentConfig: Codable, Sendable, Equatable {
    public var vector_data: [String: VectorDataConfig]
    /// Sparse vectors, as `SegmentSchema+Sparse` reads and writes them.
    public var sparse_vector_data: JSONValue?
    public var payload_storage_type: PayloadStorageType

    public init(vectorData: [String: VectorDataConfig], payloadStorageType: PayloadStorageType = .mmap) {
        vector_data = vectorData
        payload_storage_type = payloadStorageType
    }

    enum CodingKeys: String, CodingKey { case vector_data, sparse_vector_data, payload_storage_type }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vector_data = try c.decodeIfPresent([String: VectorDataConfig].self, forKey: .vector_data) ?? [:]
        sparse_vector_data = try c.decodeIfPresent(JSONValue.self, forKey: .sparse_vector_data)
        payload_storage_type = try c.decode(PayloadStorageType.self, forKey: .payload_storage_type)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vector_data, forKey: .vector_data)
        if let s = sparse_vector_data, s != .object([:]), s != .null { try c.encode(s, forKey: .sparse_vector_data) }
        try c.encode(payload_storage_type, forKey: .payload_storage_type)
    }
}

/// One dense vector's `VectorDataConfig`.
public struct VectorDataConfig: Codable, Sendable, Equatable {
    public var size: Int
    public var distance: Distance
    public var storage_type: VectorStorageType
    public var index: VectorIndexKind
    public var quantization_config: JSONValue?
    public var multivector_config: JSONValue?
    /// `float32` (default when absent), `float16` or `uint8`.
    public var datatype: String?

    public init(size: Int, distance: Distance, storageType: VectorStorageType, index: VectorIndexKind = .plain) {
        self.size = size
        self.distance = distance
        storage_type = storageType
        self.index = index
    }

    enum CodingKeys: String, CodingKey {
        case size, distance, storage_type, index, quantization_config, multivector_config, datatype
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        size = try c.decode(Int.self, forKey: .size)
        distance = try c.decode(Distance.self, forKey: .distance)
        storage_type = try c.decode(VectorStorageType.self, forKey: .storage_type)
        index = try c.decode(VectorIndexKind.self, forKey: .index)
        quantization_config = try c.decodeIfPresent(JSONValue.self, forKey: .quantization_config)
        if quantization_config == .null { quantization_config = nil }
        multivector_config = try c.decodeIfPresent(JSONValue.self, forKey: .multivector_config)
        if multivector_config == .null { multivector_config = nil }
        datatype = try c.decodeIfPresent(String.self, forKey: .datatype)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(size, forKey: .size)
        try c.encode(distance, forKey: .distance)
        try c.encode(storage_type, forKey: .storage_type)
        try c.encode(index, forKey: .index)
        try c.encode(quantization_config ?? .null, forKey: .quantization_config)
        try c.encodeIfPresent(multivector_config, forKey: .multivector_config)
        try c.encodeIfPresent(datatype, forKey: .datatype)
    }

    /// Plain index and chunked storage (Qdrant's `is_appendable`).
    public var isAppendable: Bool {
        guard case .plain = index else { return false }
        return storage_type == .chunkedMmap || storage_type == .inRamChunkedMmap || storage_type == .memory
    }
}

/// `VectorStorageType`, Qdrant's spellings.
public enum VectorStorageType: String, Codable, Sendable, Equatable {
    case memory = "Memory"
    case mmap = "Mmap"
    case chunkedMmap = "ChunkedMmap"
    case inRamChunkedMmap = "InRamChunkedMmap"
    case inRamMmap = "InRamMmap"
    case empty = "Empty"

    /// The single-file layout (`matrix.dat` + `deleted.dat`).
    var isSingleFile: Bool { self == .mmap || self == .inRamMmap }
    /// The chunked layout (`vectors/chunk_<n>.mmap` + `deleted/`).
    var isChunked: Bool { self == .chunkedMmap || self == .inRamChunkedMmap }
}

/// `Indexes`: `{"type":"plain","options":{}}` or `{"type":"hnsw","options":{HnswConfig}}`.
public enum VectorIndexKind: Codable, Sendable, Equatable {
    case plain
    /// The HNSW options as written (qdb carries them; it does not build graphs yet).
    case hnsw(JSONValue)

    enum CodingKeys: String, CodingKey { case type, options }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "plain": self = .plain
        case "hnsw": self = .hnsw(try c.decodeIfPresent(JSONValue.self, forKey: .options) ?? .object([:]))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown index type \"\(other)\"")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .plain:
            try c.encode("plain", forKey: .type)
            try c.encode([String: Int](), forKey: .options)
        case .hnsw(let options):
            try c.encode("hnsw", forKey: .type)
            try c.encode(options, forKey: .options)
        }
    }
}

/// `PayloadStorageType`: `{"type":"mmap"}` (Qdrant's default) or `{"type":"in_ram_mmap"}`; both
/// are a gridstore in `payload_storage/`.
public enum PayloadStorageType: String, Codable, Sendable, Equatable {
    case mmap
    case inRamMmap = "in_ram_mmap"

    enum CodingKeys: String, CodingKey { case type }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let t = try c.decode(String.self, forKey: .type)
        guard let v = PayloadStorageType(rawValue: t) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown payload storage type \"\(t)\" (RocksDB payload storage is not read)")
        }
        self = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rawValue, forKey: .type)
    }
}

/// `version.info` of a segment: the segment format version as ASCII semver, no newline
/// (`lib/segment/Cargo.toml`; 1.19 writes `0.6.0`). Qdrant deletes a segment directory without
/// one at load, migrates 0.3–0.5 and refuses newer versions; qdb reads 0.6.x.
public enum SegmentVersionInfo {
    public static let fileName = "version.info"
    public static let current = "0.6.0"

    public static func read(validating bytes: [UInt8]) throws -> String {
        guard bytes.count <= 64, let text = String(bytes: bytes, encoding: .utf8) else {
            throw SegmentFormatError(.corrupt, fileName, "is not a short version string")
        }
        let v = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = v.split(separator: ".").map { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 != nil }) else {
            throw SegmentFormatError(.corrupt, fileName, "\"\(v)\" is not a semver version")
        }
        guard parts[0] == 0, parts[1] == 6 else {
            throw SegmentFormatError(.unsupported, fileName, "segment format \(v) is not supported (qdb reads \(current), Qdrant 1.18–1.19)")
        }
        return v
    }

    public static func write() -> [UInt8] { Array(current.utf8) }
}
