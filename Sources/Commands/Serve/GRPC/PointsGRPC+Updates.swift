import Engine
import GRPCCore
import QdrantProto

extension Qdrant_UpdateBatchResponse: TimedResponse {}

/// `UpdateBatch` and the payload index RPCs, over the same engine calls as REST's
/// `POST points/batch` and `PUT/DELETE …/index`.
extension PointsGRPC {
    static func mode(_ m: Qdrant_UpdateMode) throws -> UpdateMode {
        switch m {
        case .upsert: return .upsert
        case .insertOnly: return .insertOnly
        case .updateOnly: return .updateOnly
        case .UNRECOGNIZED(let n): throw GRPCConvert.badInput("unknown update_mode \(n)")
        }
    }

    func updateBatch(request: Qdrant_UpdateBatchPoints, context: ServerContext) async throws -> Qdrant_UpdateBatchResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            // Every operation is read before any runs, as REST does.
            let ops = try request.operations.enumerated().map { i, op in try PointsGRPC.operation(op, at: i) }
            let wait = request.hasWait && request.wait
            let c = try storage.collection(request.collectionName)
            var r = Qdrant_UpdateBatchResponse()
            r.result = try ops.map { op in
                var u = Qdrant_UpdateResult()
                u.operationID = try op.apply(c, wait)
                u.status = wait ? .completed : .acknowledged
                return u
            }
            return r
        }
    }

    static func operation(_ o: Qdrant_PointsUpdateOperation, at i: Int) throws -> BatchUpdate {
        try GRPCCall.rejectUnknownFields(o)
        func selector(_ has: Bool, _ s: Qdrant_PointsSelector) throws -> PointSelector {
            guard has else { throw GRPCConvert.badInput("operations[\(i)] needs a points selector") }
            return try PointsGRPC.selector(s)
        }
        switch o.operation {
        case .upsert(let u)?:
            try GRPCCall.rejectUnknownFields(u)
            let filter = u.hasUpdateFilter ? try GRPCConvert.filter(u.updateFilter) : nil
            return .upsert(try u.points.map(GRPCConvert.point), u.hasUpdateMode ? try mode(u.updateMode) : .upsert, filter)
        case .setPayload(let p)?:
            try GRPCCall.rejectUnknownFields(p)
            if p.hasKey, !p.key.isEmpty { _ = try GRPCQuery.path(p.key) }
            return .setPayload(try GRPCConvert.payload(p.payload), key: p.hasKey ? p.key : nil, try selector(p.hasPointsSelector, p.pointsSelector))
        case .overwritePayload(let p)?:
            try GRPCCall.rejectUnknownFields(p)
            return .overwritePayload(try GRPCConvert.payload(p.payload), try selector(p.hasPointsSelector, p.pointsSelector))
        case .deletePayload(let p)?:
            try GRPCCall.rejectUnknownFields(p)
            for k in p.keys { _ = try GRPCQuery.path(k) }
            return .deletePayload(p.keys, try selector(p.hasPointsSelector, p.pointsSelector))
        case .deletePoints(let d)?:
            try GRPCCall.rejectUnknownFields(d)
            return .delete(try selector(d.hasPoints, d.points))
        case .clearPayload_p(let d)?:
            try GRPCCall.rejectUnknownFields(d)
            return .clearPayload(try selector(d.hasPoints, d.points))
        case .deleteDeprecated(let s)?: return .delete(try PointsGRPC.selector(s))
        case .clearPayloadDeprecated_p(let s)?: return .clearPayload(try PointsGRPC.selector(s))
        case nil: throw GRPCConvert.badInput("operations[\(i)] needs one operation")
        }
    }

    func createFieldIndex(request: Qdrant_CreateFieldIndexCollection, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let schema = try PointsGRPC.schema(request)
            let body = CreateIndexBody(field_name: request.fieldName, field_schema: schema)
            try body.validate()
            let wait = request.hasWait && request.wait
            try storage.collection(request.collectionName).updatePayloadSchema(field: request.fieldName, schema: schema)
            return PointsGRPC.updated(0, wait: wait)
        }
    }

    func deleteFieldIndex(request: Qdrant_DeleteFieldIndexCollection, context: ServerContext) async throws -> Qdrant_PointsOperationResponse {
        let storage = state.storage
        return try await GRPCCall.run {
            try GRPCCall.rejectUnknownFields(request)
            let wait = request.hasWait && request.wait
            try storage.collection(request.collectionName).updatePayloadSchema(field: request.fieldName, schema: nil)
            return PointsGRPC.updated(0, wait: wait)
        }
    }

    static let fieldTypes: [Qdrant_FieldType: String] = [
        .keyword: "keyword", .integer: "integer", .float: "float", .geo: "geo", .text: "text", .bool: "bool",
        .datetime: "datetime", .uuid: "uuid",
    ]

    /// The REST form of the index schema: a type name, or `{"type": …, params…}` (as REST's
    /// `PUT index` body and `payload_schema` spell it).
    static func schema(_ r: Qdrant_CreateFieldIndexCollection) throws -> JSONValue {
        let named = r.hasFieldType ? fieldTypes[r.fieldType] : nil
        if r.hasFieldType, named == nil { throw GRPCConvert.badInput("unknown field_type \(r.fieldType.rawValue)") }
        guard r.hasFieldIndexParams else { return .string(named ?? "keyword") }
        let p = r.fieldIndexParams
        try GRPCCall.rejectUnknownFields(p)
        var o: [String: JSONValue]
        func flag(_ k: String, _ has: Bool, _ v: Bool) { if has { o[k] = .bool(v) } }
        switch p.indexParams {
        case .keywordIndexParams(let k)?:
            try GRPCCall.rejectUnknownFields(k)
            o = ["type": .string("keyword")]
            flag("is_tenant", k.hasIsTenant, k.isTenant)
            flag("on_disk", k.hasOnDisk, k.onDisk)
        case .integerIndexParams(let k)?:
            try GRPCCall.rejectUnknownFields(k)
            o = ["type": .string("integer")]
            flag("lookup", k.hasLookup, k.lookup)
            flag("range", k.hasRange, k.range)
            flag("is_principal", k.hasIsPrincipal, k.isPrincipal)
            flag("on_disk", k.hasOnDisk, k.onDisk)
        case .textIndexParams(let t)?:
            o = try text(t)
        case nil: return .string(named ?? "keyword")
        }
        if let named, o["type"] != .string(named) {
            throw GRPCConvert.badInput("field_type \(named) does not match the index params given (\(o["type"].map { "\($0)" } ?? ""))")
        }
        return .object(o)
    }

    static func text(_ t: Qdrant_TextIndexParams) throws -> [String: JSONValue] {
        try GRPCCall.rejectUnknownFields(t)
        var o: [String: JSONValue] = ["type": .string("text")]
        switch t.tokenizer {
        case .unknown: break
        case .prefix: o["tokenizer"] = .string("prefix")
        case .whitespace: o["tokenizer"] = .string("whitespace")
        case .word: o["tokenizer"] = .string("word")
        case .multilingual: o["tokenizer"] = .string("multilingual")
        case .UNRECOGNIZED(let n): throw GRPCConvert.badInput("unknown tokenizer \(n)")
        }
        if t.hasLowercase { o["lowercase"] = .bool(t.lowercase) }
        if t.hasMinTokenLen { o["min_token_len"] = .uint(t.minTokenLen) }
        if t.hasMaxTokenLen { o["max_token_len"] = .uint(t.maxTokenLen) }
        if t.hasOnDisk { o["on_disk"] = .bool(t.onDisk) }
        if t.hasPhraseMatching { o["phrase_matching"] = .bool(t.phraseMatching) }
        if t.hasAsciiFolding { o["ascii_folding"] = .bool(t.asciiFolding) }
        if t.hasEnableHnsw { o["enable_hnsw"] = .bool(t.enableHnsw) }
        if t.hasStopwords {
            try GRPCCall.rejectUnknownFields(t.stopwords)
            o["stopwords"] = .object([
                "languages": .array(t.stopwords.languages.map(JSONValue.string)), "custom": .array(t.stopwords.custom.map(JSONValue.string)),
            ])
        }
        if t.hasStemmer {
            try GRPCCall.rejectUnknownFields(t.stemmer)
            if case .snowball(let s)? = t.stemmer.stemmingParams {
                o["stemmer"] = .object(["type": .string("snowball"), "language": .string(s.language)])
            }
        }
        return o
    }
}
