/// Full-text conditions on fields with a text index (Qdrant's `full_text_index` semantics):
/// the point's strings at the key form one document — a token set for `text` (every query
/// token present) and `text_any` (one is enough), the token sequence of each string for
/// `phrase` (Qdrant tokenizes a phrase as a document; only an index with `phrase_matching`
/// keeps positions, without it a phrase matches nothing) — and an empty query matches nothing.
///
/// Without a text index the condition keeps the default word tokenizer, lowercased (Qdrant
/// 1.19.1 and later, qdrant#10341, and qdrant-client's local mode; 1.19.0 matched raw
/// substrings there).
extension Filter {
    /// The filter with each full-text condition bound to the text index of its key in
    /// `indexes` (keyed by the path as written, `a.b[].c`). Conditions under `nested` use the
    /// full path `outer[].inner`, as Qdrant names the indexed field.
    public func bindingTextIndexes(_ indexes: [String: TextTokenizer], prefix: String = "") -> Filter {
        guard !indexes.isEmpty else { return self }
        func bind(_ c: Condition) -> Condition {
            switch c {
            case .field(var f):
                if f.match?.isFullText == true, let t = indexes[prefix + f.key.description] { f.textIndex = t }
                return .field(f)
            case .filter(let inner): return .filter(inner.bindingTextIndexes(indexes, prefix: prefix))
            case .nested(let path, let inner):
                return .nested(path, inner.bindingTextIndexes(indexes, prefix: prefix + path.description + "[]."))
            default: return c
            }
        }
        return mappingConditions(bind)
    }

    /// Whether any condition, at any depth, is `text`, `text_any` or `phrase`.
    var usesFullText: Bool {
        func uses(_ c: Condition) -> Bool {
            switch c {
            case .field(let f): return f.match?.isFullText == true
            case .filter(let f), .nested(_, let f): return f.usesFullText
            default: return false
            }
        }
        return (must + should + mustNot + (minShould?.conditions ?? [])).contains(where: uses)
    }
}

extension TextTokenizer {
    /// The text indexes of a payload schema (field name → `PUT index` schema), by path.
    public static func indexes(in schema: [String: JSONValue]) -> [String: TextTokenizer] {
        var out: [String: TextTokenizer] = [:]
        for (field, s) in schema {
            if let p = TextIndexParams.of(schema: s) { out[JSONPath(lenient: field).description] = TextTokenizer(p) }
        }
        return out
    }
}

extension Match {
    var isFullText: Bool {
        switch self {
        case .text, .textAny, .phrase: return true
        default: return false
        }
    }

    /// A full-text match over every string the key selects, tokenized by `index`.
    func matches(strings values: [JSONValue], _ index: TextTokenizer) -> Bool {
        let strings = values.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
        guard !strings.isEmpty else { return false }
        switch self {
        case .text(let q):
            let query = Set(index.query(q))
            guard !query.isEmpty else { return false }
            let doc = Set(strings.flatMap(index.document))
            return query.isSubset(of: doc)
        case .textAny(let q):
            let query = Set(index.query(q))
            let doc = Set(strings.flatMap(index.document))
            return !query.isDisjoint(with: doc)
        case .phrase(let q):
            guard index.params.phraseMatching else { return false }
            let phrase = index.document(q)
            guard !phrase.isEmpty else { return false }
            return strings.contains { s in
                let doc = index.document(s)
                guard doc.count >= phrase.count else { return false }
                return (0...(doc.count - phrase.count)).contains { i in Array(doc[i..<(i + phrase.count)]) == phrase }
            }
        default: return false
        }
    }
}
