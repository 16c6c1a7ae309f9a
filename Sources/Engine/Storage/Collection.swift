import Foundation
import Logging

/// A collection: its config, its shards, and its payload index schema.
///
/// Writes are validated completely before any shard logs anything, so a rejected request
/// changes nothing. Points are routed to shards by a hash of their id.
public final class Collection: @unchecked Sendable {
    public let name: String
    let dir: String
    let shards: [Shard]
    /// The collection's vectors by slot, sorted by name (`""` is the unnamed vector).
    let slots: [(name: String, params: VectorParams)]
    private let meta = NSLock()
    private var _config: CollectionConfig
    private var _payloadSchema: [String: JSONValue]
    /// The storage's `optimizers_overwrite` (`StorageOptions`): what the optimizer goes by is
    /// the config with it applied; `config` (persisted, reported, snapshotted) stays the collection's own.
    let optimizersOverwrite: JSONValue?

    public var config: CollectionConfig { meta.withLock { _config } }
    public var payloadSchema: [String: JSONValue] { meta.withLock { _payloadSchema } }

    /// `payload_index.json`, as in Qdrant's collection directory and snapshots.
    struct PayloadIndexFile: Codable {
        var schema: [String: JSONValue]
    }

    private init(name: String, dir: String, config: CollectionConfig, schema: [String: JSONValue], shards: [Shard], overwrite: JSONValue?) {
        self.name = name
        self.optimizersOverwrite = overwrite
        self.dir = dir
        self._config = config
        self._payloadSchema = schema
        self.shards = shards
        self.slots = config.params.vectors.denseByName
        for s in shards { s.lock.write { s.indexSettings = IndexSettings(config, overwrite: overwrite) } }
    }

    /// Writes a new collection's files into `dir` (which must not exist yet).
    static func initialize(dir: String, config: CollectionConfig) throws {
        try FileIO.makeDirectories(dir)
        try FileIO.writeAtomically(try [UInt8].json(config), to: dir + "/config.json")
        try FileIO.writeAtomically(try [UInt8].json(PayloadIndexFile(schema: [:])), to: dir + "/payload_index.json")
        try FileIO.writeAtomically(Array("0.4.2".utf8), to: dir + "/version.info")
        for s in 0..<config.params.shard_number { try FileIO.makeDirectories(dir + "/\(s)/segments") }
    }

    /// Opens the collection stored in `dir`.
    static func open(name: String, dir: String, sealThreshold: Int, logger: Logger, overwrite: JSONValue? = nil) throws -> Collection {
        let config: CollectionConfig
        // A named-vector change under way (`Storage+NamedVectors.swift`) is completed.
        let pending = try PendingVectorChange.read(collectionDir: dir)
        do {
            config = try pending?.config ?? JSONDecoder().decode(CollectionConfig.self, from: Data(try FileIO.readAll(dir + "/config.json")))
        } catch {
            throw StorageError(.corrupt, "collection `\(name)`: config.json is unreadable (\(error))")
        }
        var schema: [String: JSONValue] = [:]
        if let bytes = try? FileIO.readAll(dir + "/payload_index.json"),
            let file = try? JSONDecoder().decode(PayloadIndexFile.self, from: Data(bytes))
        {
            schema = file.schema
        }
        var segmentSchema = SegmentSchema(config.params.vectors).withSparse(config.sparseByName)
        segmentSchema.tolerated = Set(pending?.tolerated ?? [])
        var shards: [Shard] = []
        for s in 0..<config.params.shard_number {
            var l = logger
            l[metadataKey: "collection"] = "\(name)"
            let shard = try Shard.open(id: s, dir: dir + "/\(s)", schema: segmentSchema, sealThreshold: sealThreshold, logger: l)
            shard.indexedFields = schema
            shards.append(shard)
        }
        try pending?.commit(collectionDir: dir)
        return Collection(name: name, dir: dir, config: config, schema: schema, shards: shards, overwrite: overwrite)
    }

    /// The collection `loaded` (opened from a staging directory whose contents now live at
    /// `dir`, after a rename or exchange) as an object for `dir`, without reading it again.
    static func adopt(_ loaded: Collection, name: String, dir: String) throws -> Collection {
        let shards = try loaded.shards.map { try Shard.adopt($0, dir: dir + "/\($0.id)") }
        return Collection(name: name, dir: dir, config: loaded.config, schema: loaded.payloadSchema, shards: shards, overwrite: loaded.optimizersOverwrite)
    }

    func shard(for id: PointID) -> Shard {
        shards[Int(id.routingHash % UInt64(shards.count))]
    }

    /// Seals every shard: used on clean shutdown.
    func close() throws {
        for s in shards {
            try s.seal()
            s.optimizerState.waitForSeals()  // a background seal the seal superseded ends at once
        }
    }

    func slot(named name: String) throws -> Int {
        if let i = slots.firstIndex(where: { $0.name == name }) { return i }
        let known = (slots.map(\.name) + multiSlots.map(\.name)).map { $0.isEmpty ? "(unnamed)" : $0 }.joined(separator: ", ")
        throw StorageError(.badInput, "Wrong input: Not existing vector name error: \(name.isEmpty ? "(unnamed)" : name); the collection has: \(known)")
    }

    // MARK: config and schema

    public func updatePayloadSchema(field: String, schema: JSONValue?) throws {
        try meta.withLock {
            var next = _payloadSchema
            next[field] = schema
            try FileIO.writeAtomically(try [UInt8].json(PayloadIndexFile(schema: next)), to: dir + "/payload_index.json")
            _payloadSchema = next
            for shard in shards { try shard.lock.write { try shard.recordIndexedFieldsLocked(next) } }
        }
    }

    /// Applies a PATCH to the optimizer, HNSW and params sections it understands.
    public func updateConfig(_ change: (inout CollectionConfig) throws -> Void) throws {
        try meta.withLock {
            var next = _config
            try change(&next)
            guard next.params.vectors == _config.params.vectors, next.params.shard_number == _config.params.shard_number else {
                throw StorageError(.badInput, "Wrong input: vectors and shard_number cannot be changed on an existing collection")
            }
            try FileIO.writeAtomically(try [UInt8].json(next), to: dir + "/config.json")
            _config = next
            for s in shards { s.lock.write { s.indexSettings = IndexSettings(next, overwrite: optimizersOverwrite) } }
        }
    }
}
