import Engine
import Hummingbird

extension Router where Context == BasicRequestContext {
    /// `/collections…`: create, info, list, exists, delete, update, aliases, payload indexes.
    func addCollectionRoutes(_ s: APIState) {
        on("/collections", method: .get, state: s) { call in
            try await call.respond { CollectionsList(collections: s.storage.collectionNames().map { .init(name: $0) }) }
        }
        on("/collections/:collection", method: .put, state: s) { call in
            try call.checkWriteParameters()
            let name = try call.parameter("collection")
            let body = try await call.body(CreateCollectionBody.self)
            var params = CollectionParams(vectors: body.vectors ?? .named([:]), shardNumber: body.shard_number ?? 1)
            if let sparse = body.sparse_vectors, sparse != .null, sparse != .object([:]) {
                params.sparse_vectors = try JSONFields.decode(sparse, [String: SparseVectorParams].self)
            }
            params.replication_factor = body.replication_factor ?? 1
            params.write_consistency_factor = body.write_consistency_factor ?? 1
            params.on_disk_payload = body.on_disk_payload ?? true
            let base = CollectionConfig(params: params)
            return try await call.respond {
                var config = base
                try s.config.collectionDefaults.apply(to: &config, hnsw: body.hnsw_config, optimizers: body.optimizers_config, wal: body.wal_config)
                try s.storage.createCollection(name, config: config)
                return true
            }
        }
        on("/collections/:collection", method: .get, state: s) { call in
            let name = try call.parameter("collection")
            return try await call.respond { try call.collection(name).info() }
        }
        on("/collections/:collection", method: .patch, state: s) { call in
            try call.checkWriteParameters()
            // `hnsw_config` and `optimizers_config` are applied (persisted in config.json; the
            // optimizer picks them up on its next pass); other sections are accepted as before.
            let name = try call.parameter("collection")
            let body = try await call.body(UpdateCollectionBody.self)
            return try await call.respond {
                try call.collection(name).updateConfig { try $0.apply(hnswDiff: body.hnsw_config, optimizersDiff: body.optimizers_config) }
                return true
            }
        }
        on("/collections/:collection", method: .delete, state: s) { call in
            try call.checkWriteParameters()
            let name = try call.parameter("collection")
            return try await call.respond { try s.storage.deleteCollection(name) }
        }
        on("/collections/:collection/exists", method: .get, state: s) { call in
            let name = try call.parameter("collection")
            return try await call.respond { ExistsResult(exists: s.storage.exists(name)) }
        }
        on("/collections/aliases", method: .post, state: s) { call in
            try call.checkWriteParameters()
            let body = try await call.body(AliasesBody.self)
            let actions = try body.engineActions()
            return try await call.respond {
                try s.storage.updateAliases(actions)
                return true
            }
        }
        on("/aliases", method: .get, state: s) { call in
            try await call.respond { AliasesList(aliases: s.storage.aliases().map { .init(alias_name: $0.alias, collection_name: $0.collection) }) }
        }
        on("/collections/:collection/aliases", method: .get, state: s) { call in
            let name = try call.parameter("collection")
            return try await call.respond {
                let c = try call.collection(name)
                return AliasesList(aliases: s.storage.aliases(of: c.name).map { .init(alias_name: $0.alias, collection_name: $0.collection) })
            }
        }
        on("/collections/:collection/index", method: .put, state: s) { call in
            let name = try call.parameter("collection")
            let body = try await call.strictBody(CreateIndexBody.self, CreateIndexBody.fields, "create index request")
            try body.validate()
            let wait = try call.wait(default: false)
            return try await call.respond {
                try call.collection(name).updatePayloadSchema(field: body.field_name, schema: body.field_schema ?? .string("keyword"))
                return UpdateResult(operation_id: 0, status: wait ? "completed" : "acknowledged")
            }
        }
        on("/collections/:collection/index/:field", method: .delete, state: s) { call in
            let name = try call.parameter("collection")
            let field = try call.parameter("field")
            let wait = try call.wait(default: false)
            return try await call.respond {
                try call.collection(name).updatePayloadSchema(field: field, schema: nil)
                return UpdateResult(operation_id: 0, status: wait ? "completed" : "acknowledged")
            }
        }
    }
}
