/// `GET /collections/{c}`: Qdrant's `CollectionInfo`.
public struct CollectionInfo: Encodable, Sendable {
    public var status = "green"
    public var optimizer_status = "ok"
    public var indexed_vectors_count = 0
    public var points_count: Int
    public var segments_count: Int
    public var config: CollectionConfig
    public var payload_schema: [String: PayloadIndexInfo]
}

/// One entry of `payload_schema`.
public struct PayloadIndexInfo: Encodable, Sendable {
    public var data_type: String
    public var params: JSONValue?
    public var points: Int
}

extension Collection {
    func record(_ v: PointView, payload: PayloadSelector, vectors: VectorSelector, score: Float? = nil) -> Record {
        var named: [String: [Float]]?
        if vectors.wantsAny {
            var out: [String: [Float]] = [:]
            for (slot, (name, _)) in slots.enumerated() {
                if case .names(let wanted) = vectors, !wanted.contains(name) { continue }
                if slot < v.vectors.count, let vec = v.vectors[slot] { out[name] = vec }
            }
            named = out
        }
        var r = Record(id: v.id, version: v.version, payload: payload.apply(v.payload), vectors: named, score: score)
        if vectors.wantsAny {
            r.sparseVectors = sparseRecord(v, vectors: vectors)
            r.multiVectors = multiRecord(v, vectors: vectors)
        }
        return r
    }

    /// Points by id, in request order, skipping ids that do not exist.
    public func retrieve(_ ids: [PointID], payload: PayloadSelector, vectors: VectorSelector) -> [Record] {
        var seen = Set<PointID>()
        return ids.filter { seen.insert($0).inserted }.flatMap { id in
            shard(for: id).retrieve([id], vectors: vectors.wantsAny).map { record($0, payload: payload, vectors: vectors) }
        }
    }

    /// Qdrant's scroll: points in id order from `offset`, and the id to continue from.
    public func scroll(
        filter: Filter?, offset: PointID?, limit: Int, payload: PayloadSelector, vectors: VectorSelector
    ) -> (records: [Record], next: PointID?) {
        let filter = filter?.bound(to: self)
        var all = shards.flatMap { $0.scroll(filter: filter, from: offset, limit: limit.saturatingAdd(1), vectors: vectors.wantsAny) }
        all.sort { $0.id < $1.id }
        let next = all.count > limit ? all[limit].id : nil
        return (all.prefix(limit).map { record($0, payload: payload, vectors: vectors) }, next)
    }

    public func count(filter: Filter?) -> Int {
        let filter = filter?.bound(to: self)
        return shards.reduce(0) { $0 + $1.count(filter: filter) }
    }

    /// Exact nearest-neighbour search over every shard.
    public func search(_ req: SearchRequest) throws -> [Record] {
        let slot = try slot(named: req.using)
        let params = slots[slot].params
        guard req.vector.count == params.size else {
            throw StorageError(.badInput, "Wrong input: Vector dimension error: expected dim: \(params.size), got \(req.vector.count)")
        }
        guard req.limit >= 0, req.offset >= 0 else {
            throw StorageError(.badInput, "Wrong input: limit and offset must not be negative")
        }
        let distance = params.distance
        let query = params.prepare(req.vector)
        let k = req.limit.saturatingAdd(req.offset)
        let filter = req.filter?.bound(to: self)
        var hits = shards.flatMap {
            $0.search(query: query, slot: slot, distance: distance, filter: filter, k: k, vectors: req.vectors.wantsAny, params: req.params)
        }
        hits.sort { a, b in
            if a.score != b.score { return distance.higherIsBetter ? a.score > b.score : a.score < b.score }
            return a.point.id < b.point.id
        }
        if let t = req.scoreThreshold {
            hits.removeAll { distance.higherIsBetter ? $0.score < t : $0.score > t }
        }
        return hits.dropFirst(req.offset).prefix(req.limit).map {
            record($0.point, payload: req.payload, vectors: req.vectors, score: $0.score)
        }
    }

    public func info() -> CollectionInfo {
        let schema = payloadSchema
        var indexInfo: [String: PayloadIndexInfo] = [:]
        for (field, s) in schema {
            let type: String
            var params: JSONValue?
            switch s {
            case .string(let t): type = t
            case .object(let o):
                if case .string(let t)? = o["type"] { type = t } else { type = "keyword" }
                params = s
            default: type = "keyword"
            }
            let n = (try? JSONPath(field)).map { count(filter: Filter(mustNot: [.isEmpty($0)])) } ?? 0
            indexInfo[field] = PayloadIndexInfo(data_type: type, params: params, points: n)
        }
        let segs = shards.reduce(0) { acc, s in
            acc + s.lock.read { s.segments.filter { $0.isSealed || $0.count > 0 }.count }
        }
        var info = CollectionInfo(
            points_count: count(filter: nil), segments_count: segs, config: config, payload_schema: indexInfo)
        info.indexed_vectors_count = shards.reduce(0) { acc, s in acc + slots.indices.reduce(0) { $0 + s.indexedVectorCount(slot: $1) } }
        info.status = shards.contains { $0.optimizationPending } ? "yellow" : "green"
        return info
    }
}
