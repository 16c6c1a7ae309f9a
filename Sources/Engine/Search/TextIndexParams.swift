/// The parameters of a `text` payload index, as Qdrant 1.19's `TextIndexParams`
/// (`lib/segment/src/data_types/index.rs`): they decide how `match: {text | text_any | phrase}`
/// tokenizes the stored strings and the query on that field.
///
/// Defaults as Qdrant: tokenizer `word`, `lowercase` true, `ascii_folding` false, no length
/// limits, no stopwords, no stemmer.
public struct TextIndexParams: Sendable, Hashable {
    public enum Tokenizer: String, Sendable, CaseIterable {
        case word, whitespace, prefix, multilingual
    }

    public var tokenizer: Tokenizer = .word
    public var lowercase = true
    public var asciiFolding = false
    public var minTokenLen: Int?
    public var maxTokenLen: Int?
    /// Stopwords as given (`custom`), lowercased when `lowercase` is on, as Qdrant stores them.
    public var stopwords: Set<String> = []
    /// A Snowball algorithm name (`english`, `german`, …) or nil.
    public var stemmer: String?
    /// Whether the index keeps token positions: without them Qdrant's `phrase` condition on
    /// the field matches nothing (its inverted index has no documents to compare).
    public var phraseMatching = false

    public init() {}

    /// The fields Qdrant's `TextIndexParams` has; `on_disk`, `enable_hnsw` and `memory` do not
    /// change matching here (qdb evaluates text conditions on the stored strings).
    static let fields: Set<String> = [
        "type", "tokenizer", "min_token_len", "max_token_len", "lowercase", "ascii_folding", "phrase_matching",
        "stopwords", "stemmer", "on_disk", "enable_hnsw", "memory",
    ]

    /// The params of a payload schema entry: `"text"` (all defaults), `{"type": "text", …}`, or nil
    /// for any other index type.
    public static func of(schema: JSONValue) -> TextIndexParams? {
        switch schema {
        case .string("text"): return TextIndexParams()
        case .object(let o) where o["type"] == .string("text"): return try? TextIndexParams(o)
        default: return nil
        }
    }

    /// Reads and validates `{"type": "text", …}`. Throws `StorageError(.badInput)` naming the field.
    public init(_ o: [String: JSONValue]) throws {
        func bad(_ m: String) -> StorageError { StorageError(.badInput, "Format error in JSON body: text index \(m)") }
        if let k = o.keys.sorted().first(where: { !Self.fields.contains($0) && o[$0] != .null }) {
            throw bad("has unknown field `\(k)`")
        }
        func int(_ k: String) throws -> Int? {
            switch o[k] {
            case nil, .null?: return nil
            case .int(let i)? where i >= 0: return Int(i)
            case .uint(let u)? where u <= UInt64(Int32.max): return Int(u)
            default: throw bad("`\(k)` must be a non-negative integer")
            }
        }
        func bool(_ k: String, _ d: Bool) throws -> Bool {
            switch o[k] {
            case nil, .null?: return d
            case .bool(let b)?: return b
            default: throw bad("`\(k)` must be a boolean")
            }
        }
        switch o["tokenizer"] {
        case nil, .null?: break
        case .string(let t)?:
            guard let tok = Tokenizer(rawValue: t) else {
                throw bad("tokenizer `\(t)` is not one of \(Tokenizer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tokenizer = tok
        default: throw bad("`tokenizer` must be a string")
        }
        minTokenLen = try int("min_token_len")
        maxTokenLen = try int("max_token_len")
        lowercase = try bool("lowercase", true)
        asciiFolding = try bool("ascii_folding", false)
        phraseMatching = try bool("phrase_matching", false)
        stemmer = try Self.stemmer(o["stemmer"], bad)
        stopwords = Set(try Self.stopwords(o["stopwords"], bad).map { lowercase ? $0.lowercased() : $0 })
    }

    /// `{"type": "snowball", "language": …}`; the language must be one libstemmer has.
    private static func stemmer(_ v: JSONValue?, _ bad: (String) -> StorageError) throws -> String? {
        switch v {
        case nil, .null?: return nil
        case .object(let s)?:
            guard s["type"] == .string("snowball"), case .string(let lang)? = s["language"] else {
                throw bad("`stemmer` must be {\"type\": \"snowball\", \"language\": …}")
            }
            guard Snowball.languages.contains(lang) else {
                throw bad("stemmer language `\(lang)` is not one of \(Snowball.languages.sorted().joined(separator: ", "))")
            }
            return lang
        default: throw bad("`stemmer` must be an object")
        }
    }

    /// `{"custom": [...]}` is served. Qdrant's built-in language lists (`"english"`,
    /// `{"languages": [...]}`) are not shipped with qdb: refused rather than ignored.
    private static func stopwords(_ v: JSONValue?, _ bad: (String) -> StorageError) throws -> [String] {
        func languages() -> StorageError {
            StorageError(.badInput, "Wrong input: qdb does not ship Qdrant's built-in stopword lists; give the words as {\"custom\": [...]}")
        }
        switch v {
        case nil, .null?: return []
        case .string?: throw languages()
        case .object(let s)?:
            if let l = s["languages"], l != .null, l != .array([]) { throw languages() }
            if let k = s.keys.first(where: { $0 != "languages" && $0 != "custom" }) { throw bad("stopwords has unknown field `\(k)`") }
            switch s["custom"] {
            case nil, .null?: return []
            case .array(let words)?:
                return try words.map { w in
                    guard case .string(let s) = w else { throw bad("stopwords.custom must be a list of strings") }
                    return s
                }
            default: throw bad("stopwords.custom must be a list of strings")
            }
        default: throw bad("`stopwords` must be a language name or {\"custom\": [...]}")
        }
    }
}
