import Engine
import GRPCCore
import QdrantProto

extension Qdrant_ListAliasesResponse: TimedResponse {}

/// `Update`, `UpdateAliases`, `ListCollectionAliases` and `ListAliases`, as REST's PATCH
/// `/collections/{c}`, `POST /collections/aliases`, `GET /collections/{c}/aliases` and `GET /aliases`.
extension CollectionsGRPC {
    func update(request: Qdrant_UpdateCollection, context: ServerContext) async throws -> Qdrant_CollectionOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            // Only the name is served (the message has no other field here): a settings diff is
            // refused by rejectUnknownFields, naming its field number.
            try GRPCCall.rejectUnknownFields(request)
            _ = try storage.collection(request.collectionName)
            var r = Qdrant_CollectionOperationResponse()
            r.result = true
            return r
        }
    }

    func updateAliases(request: Qdrant_ChangeAliases, context: ServerContext) async throws -> Qdrant_CollectionOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let actions: [AliasAction] = try request.actions.map { a in
                try GRPCCall.rejectUnknownFields(a)
                switch a.action {
                case .createAlias(let c)?: return .create(collection: c.collectionName, alias: c.aliasName)
                case .deleteAlias(let d)?: return .delete(alias: d.aliasName)
                case .renameAlias(let n)?: return .rename(old: n.oldAliasName, new: n.newAliasName)
                case nil: throw GRPCConvert.badInput("each action needs create_alias, delete_alias or rename_alias")
                }
            }
            try storage.updateAliases(actions)
            var r = Qdrant_CollectionOperationResponse()
            r.result = true
            return r
        }
    }

    func listCollectionAliases(request: Qdrant_ListCollectionAliasesRequest, context: ServerContext) async throws -> Qdrant_ListAliasesResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let c = try storage.collection(request.collectionName)
            return CollectionsGRPC.aliases(storage.aliases(of: c.name))
        }
    }

    func listAliases(request: Qdrant_ListAliasesRequest, context: ServerContext) async throws -> Qdrant_ListAliasesResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            return CollectionsGRPC.aliases(storage.aliases())
        }
    }

    static func aliases(_ list: [(alias: String, collection: String)]) -> Qdrant_ListAliasesResponse {
        var r = Qdrant_ListAliasesResponse()
        r.aliases = list.map { a in
            var d = Qdrant_AliasDescription()
            d.aliasName = a.alias
            d.collectionName = a.collection
            return d
        }
        return r
    }
}
