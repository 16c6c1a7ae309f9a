extension FuzzTargets {
    /// `JSONParser.parseUpsert` against the general parser, differentially: where the one-pass
    /// reader returns points, the same bytes must parse as one JSON document holding exactly
    /// those ids, vectors, payloads and other fields. A mismatch traps (the fuzzer reports it);
    /// a body the reader leaves to the general path is fine.
    static func upsertBody(_ raw: UnsafeRawBufferPointer) throws {
        guard let fast = JSONParser.parseUpsert(raw) else { return }
        guard case .object(var root) = try JSONParser.parse(raw), let want = referencePoints(root) else {
            preconditionFailure("parseUpsert accepted a body the general parser reads otherwise")
        }
        precondition(want.count == fast.points.count, "parseUpsert: point count differs")
        for (p, w) in zip(fast.points, want) {
            precondition(p.id == w.id && p.vectors == w.vectors && p.payload == w.payload, "parseUpsert: point \(p.id) differs")
            precondition(p.sparse.isEmpty && p.multi.isEmpty, "parseUpsert: a dense-only point has other vectors")
        }
        root["points"] = nil
        root["batch"] = nil
        precondition(root == fast.options, "parseUpsert: the other fields differ")
    }

    /// The points of a parsed upsert body of the dense shapes, read from its tree as the
    /// server's general conversion reads them (`UpsertJSON`); nil for any other shape.
    static func referencePoints(_ root: Payload) -> [(id: PointID, vectors: [String: [Float]], payload: Payload)]? {
        func id(_ v: JSONValue) -> PointID? {
            switch v {
            case .int(let n) where n >= 0: return .number(UInt64(n))
            case .uint(let n): return .number(n)
            case .string(let s): if let id = PointID(string: s), case .uuid = id { return id }
            default: break
            }
            return nil
        }
        func floats(_ v: JSONValue?) -> [Float]? {
            guard case .array(let a)? = v else { return nil }
            let out = a.compactMap { x -> Float? in
                switch x {
                case .double(let d): return Float(d)
                case .int(let n): return Float(n)
                case .uint(let n): return Float(n)
                default: return nil
                }
            }
            return out.count == a.count ? out : nil
        }
        func payload(_ v: JSONValue?) -> Payload? {
            switch v {
            case nil, .null?: return [:]
            case .object(let o)?: return o
            default: return nil
            }
        }
        if case .array(let list)? = root["points"] {
            var out: [(id: PointID, vectors: [String: [Float]], payload: Payload)] = []
            for item in list {
                guard case .object(let o) = item, let rawID = o["id"], let pid = id(rawID), let pl = payload(o["payload"]) else { return nil }
                var vectors: [String: [Float]] = [:]
                switch o["vector"] ?? o["vectors"] {
                case nil, .null?: break
                case .object(let named)?:
                    for (name, v) in named {
                        guard let f = floats(v) else { return nil }
                        vectors[name] = f
                    }
                case let v: guard let f = floats(v) else { return nil }; vectors[""] = f
                }
                out.append((pid, vectors, pl))
            }
            return out
        }
        guard case .object(let b)? = root["batch"], case .array(let rawIDs)? = b["ids"] else { return nil }
        let ids = rawIDs.compactMap(id)
        var lists: [String: [[Float]]] = [:]
        switch b["vectors"] {
        case .object(let named)?:
            for (name, v) in named {
                guard case .array(let l) = v else { return nil }
                lists[name] = l.compactMap { floats($0) }
                guard lists[name]!.count == l.count else { return nil }
            }
        case .array(let l)?:
            lists[""] = l.compactMap { floats($0) }
            guard lists[""]!.count == l.count else { return nil }
        default: return nil
        }
        var payloads = [Payload](repeating: [:], count: ids.count)
        if case .array(let l)? = b["payloads"] {
            payloads = l.compactMap(payload)
            guard payloads.count == l.count else { return nil }
        }
        guard ids.count == rawIDs.count, payloads.count == ids.count, lists.values.allSatisfy({ $0.count == ids.count }) else { return nil }
        return ids.indices.map { k in (ids[k], lists.mapValues { $0[k] }, payloads[k]) }
    }
}
