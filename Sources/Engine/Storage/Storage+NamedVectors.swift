import Foundation

/// The body of `PUT /collections/{c}/vectors/{name}` (Qdrant's `VectorNameConfig`): the
/// immutable properties of a new dense vector (a multivector with `multivector_config`) or
/// sparse vector.
public enum VectorNameConfig: Sendable, Equatable {
    case dense(VectorParams)
    case sparse(SparseVectorParams)
}

/// Adding and removing a named vector of an existing collection, as Qdrant 1.19 does
/// (`collection/vector_name_schema.rs`): the config changes, existing points simply lack a
/// new vector, and a removed vector's data is dropped. Creating a vector that exists with the
/// same config is a no-op; with another config (or as the other kind) it is a 400. Deleting a
/// vector the collection does not have is a no-op, as in Qdrant.
///
/// Durability: qdb's WAL records vectors by slot, so the change is never a WAL record.
/// Instead, with every shard's writes blocked, each shard is sealed (its WAL is then empty),
/// the new config is written as an intent (`vectors_change.json`), the collection is opened
/// in the new config — each sealed segment is rewritten in the new vector set as it loads,
/// by the crash-safe exchange — and finally `config.json` is replaced and the intent removed.
/// A crash at any point leaves either the old config with untouched segments, or the intent,
/// which the next open completes (segments of either shape are accepted only then). Snapshots
/// taken afterwards carry the new config and segments like any others.
extension Storage {
    /// Adds vector `vector` to collection (or alias) `collection`.
    public func createNamedVector(collection: String, vector: String, config: VectorNameConfig) throws {
        try Self.validateVectorName(vector)
        try changeVectors(collection) { try $0.adding(vector, config) }
    }

    /// Removes vector `vector` (dense or sparse) and its data from `collection`.
    public func deleteNamedVector(collection: String, vector: String) throws {
        try Self.validateVectorName(vector)
        try changeVectors(collection) { $0.removing(vector) }
    }

    /// Qdrant's `validate_vector_name`: at most 200 bytes, none of `< > : " / \ | ? *`, NUL or
    /// U+001F.
    static func validateVectorName(_ name: String) throws {
        if name.utf8.count > 200 {
            throw StorageError(.badInput, "Invalid vector name `\(name.prefix(40))…`: vector name must be at most 200 bytes long")
        }
        if let c = name.first(where: { "<>:\"/\\|?*\u{0}\u{1F}".contains($0) }) {
            throw StorageError(.badInput, "Invalid vector name `\(name)`: vector name cannot contain \"\(c)\" char")
        }
        guard SegmentState.isSafeVectorName(name) else {
            throw StorageError(.badInput, "Invalid vector name `\(name)`: it cannot be a directory name")
        }
    }

    private func changeVectors(_ name: String, _ change: (CollectionConfig) throws -> CollectionConfig?) throws {
        defer { releaseFreedMemory() }
        try mutex.withLock {
            let target = collections[name] != nil ? name : (aliasMap[name] ?? name)
            guard let old = collections[target] else { throw StorageError.collectionNotFound(name) }
            guard let next = try change(old.config) else { return }  // already as asked
            try next.validate()
            let tolerated = PendingVectorChange.changedNames(old.config, next)
            try old.withWritesBlocked {
                for s in old.shards { try s.sealLocked() }
                try PendingVectorChange(config: next, tolerated: tolerated.sorted()).write(collectionDir: old.dir)
            }
            Failpoint.pause("named_vector_intent")  // crash tests kill the process here
            // The old object's shards stay blocked (their optimizers stopped); from here on the
            // collection is the one opened in the new config.
            collections[target] = try openCollection(name: target, dir: old.dir)
        }
    }
}

/// `vectors_change.json` in a collection directory: a named-vector change under way.
struct PendingVectorChange: Codable {
    static let fileName = "vectors_change.json"

    var config: CollectionConfig
    /// The names (dense or sparse) added or removed.
    var tolerated: [String]

    func write(collectionDir dir: String) throws {
        try FileIO.writeAtomically(try [UInt8].json(self), to: dir + "/" + Self.fileName)
    }

    static func read(collectionDir dir: String) throws -> PendingVectorChange? {
        let path = dir + "/" + fileName
        guard FileIO.exists(path) else { return nil }
        do {
            return try JSONDecoder().decode(PendingVectorChange.self, from: Data(try FileIO.readAll(path)))
        } catch {
            throw StorageError(.corrupt, "\(fileName) is unreadable (\(SegmentState.describe(error)))")
        }
    }

    /// Makes the change final once every shard opened in the new config.
    func commit(collectionDir dir: String) throws {
        try FileIO.writeAtomically(try [UInt8].json(config), to: dir + "/config.json")
        unlink(dir + "/" + Self.fileName)
        try FileIO.syncDirectory(dir)
    }

    static func changedNames(_ a: CollectionConfig, _ b: CollectionConfig) -> Set<String> {
        func names(_ c: CollectionConfig) -> Set<String> {
            Set(c.params.vectors.byName.map(\.name)).union(c.params.sparse_vectors?.keys ?? [:].keys)
        }
        return names(a).symmetricDifference(names(b))
    }
}

extension CollectionConfig {
    /// This config with vector `name` added; nil when it already has it with the same
    /// schema-defining properties (Qdrant's `dense_schema_matches` / `sparse_schema_matches`).
    func adding(_ name: String, _ config: VectorNameConfig) throws -> CollectionConfig? {
        var next = self
        let sparse = params.sparse_vectors ?? [:]
        switch config {
        case .dense(let p):
            if let existing = params.vectors.params(name) {
                guard existing.size == p.size, existing.distance == p.distance, existing.datatype == p.datatype,
                      existing.multivector_config == p.multivector_config else {
                    throw StorageError(.badInput, "Wrong input: Vector `\(name)` already exists with a different configuration")
                }
                return nil
            }
            if sparse[name] != nil {
                throw StorageError(.badInput, "Wrong input: Vector `\(name)` already exists as a sparse vector")
            }
            var fresh = VectorParams(size: p.size, distance: p.distance)
            fresh.datatype = p.datatype
            fresh.multivector_config = p.multivector_config
            switch params.vectors {
            case .single(let only): next.params.vectors = .named(["": only, name: fresh])
            case .named(var m):
                m[name] = fresh
                next.params.vectors = .named(m)
            }
        case .sparse(let p):
            if let existing = sparse[name] {
                guard existing.modifier == p.modifier, existing.index?.datatype == p.index?.datatype else {
                    throw StorageError(.badInput, "Wrong input: Sparse vector `\(name)` already exists with a different configuration")
                }
                return nil
            }
            if params.vectors.params(name) != nil {
                throw StorageError(.badInput, "Wrong input: Vector `\(name)` already exists as a dense vector")
            }
            var fresh = SparseVectorParams(modifier: p.modifier)
            if let d = p.index?.datatype { fresh.index = .init(datatype: d) }
            next.params.sparse_vectors = sparse.merging([name: fresh]) { $1 }
        }
        return next
    }

    /// This config without vector `name`; nil when it has no such vector.
    func removing(_ name: String) -> CollectionConfig? {
        var next = self
        switch params.vectors {
        case .single where name.isEmpty: next.params.vectors = .named([:])
        case .single: break
        case .named(var m):
            m[name] = nil
            next.params.vectors = .named(m)
        }
        if next.params.sparse_vectors?[name] != nil { next.params.sparse_vectors?[name] = nil }
        return next == self ? nil : next
    }
}

extension SegmentSchema {
    /// This schema with no tolerance (what a shard keeps once its segments loaded).
    var settled: SegmentSchema {
        var s = self
        s.tolerated = []
        return s
    }
}
