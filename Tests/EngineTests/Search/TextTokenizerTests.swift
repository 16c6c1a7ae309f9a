import Testing
@testable import Engine

/// Tokenization as Qdrant 1.19's text index (`full_text_index/tokenizers/`), checked on the
/// examples of Qdrant's own tokenizer tests and on each processing step.
@Suite struct TextTokenizerTests {
    func tokenizer(_ json: [String: JSONValue]) throws -> TextTokenizer {
        TextTokenizer(try TextIndexParams(json.merging(["type": .string("text")]) { a, _ in a }))
    }

    @Test func wordSplitsOnNonAlphanumericAndLowercases() throws {
        let t = try tokenizer([:])
        #expect(t.document("hello, world! Привет, мир!") == ["hello", "world", "привет", "мир"])
        #expect(t.document("Ünïcode 42x") == ["ünïcode", "42x"])
    }

    @Test func whitespaceKeepsPunctuation() throws {
        let t = try tokenizer(["tokenizer": .string("whitespace"), "lowercase": .bool(false)])
        #expect(t.document("Hello,  world!\tok") == ["Hello,", "world!", "ok"])
    }

    @Test func prefixIndexesEveryPrefixAndCutsTheQuery() throws {
        let t = try tokenizer(["tokenizer": .string("prefix"), "min_token_len": .int(2), "max_token_len": .int(4)])
        #expect(t.document("Hello hi") == ["he", "hel", "hell", "hi"])
        #expect(t.query("HELLOS x") == ["hell"])  // cut to 4; "x" is shorter than 2
    }

    @Test func lengthLimitsDropTokens() throws {
        let t = try tokenizer(["min_token_len": .int(2), "max_token_len": .int(3)])
        #expect(t.document("a bb ccc dddd") == ["bb", "ccc"])
    }

    @Test func stopwordsStemmerAndFolding() throws {
        let t = try tokenizer([
            "stopwords": .object(["custom": .array([.string("The")])]),
            "stemmer": .object(["type": .string("snowball"), "language": .string("english")]),
            "ascii_folding": .bool(true),
        ])
        #expect(t.document("The runners were running to the Café") == ["runner", "were", "run", "to", "cafe"])
    }

    @Test func multilingualSplitsCJKAndDropsMarks() throws {
        let t = try tokenizer(["tokenizer": .string("multilingual")])
        #expect(t.document("Crème 日本 42") == ["creme", "日", "本"])
    }

    @Test func badParamsAreRefusedNamingTheField() throws {
        #expect(throws: StorageError.self) { try tokenizer(["tokenizer": .string("ngram")]) }
        #expect(throws: StorageError.self) { try tokenizer(["stopwords": .string("english")]) }
        #expect(throws: StorageError.self) { try tokenizer(["stemmer": .object(["type": .string("snowball"), "language": .string("klingon")])]) }
        #expect(throws: StorageError.self) { try tokenizer(["min_token_len": .int(-1)]) }
        #expect(throws: StorageError.self) { try tokenizer(["tokeniser": .string("word")]) }
    }

    @Test func indexedConditionUsesTheIndexAndTheWholeArray() throws {
        let prefix = TextTokenizer(try TextIndexParams(["type": .string("text"), "tokenizer": .string("prefix")]))
        let f = Filter(must: [.field(FieldCondition(key: "t", match: .text("wor hel")))])
        let payload: Payload = ["t": .array([.string("hello"), .string("world")])]
        #expect(!f.matches(id: nil, payload: payload))
        #expect(f.bindingTextIndexes(["t": prefix]).matches(id: nil, payload: payload))
        let nested = Filter(must: [.nested(try JSONPath("n"), f)])
        #expect(nested.bindingTextIndexes(["n[].t": prefix]).matches(id: nil, payload: ["n": .array([.object(payload)])]))
    }

    @Test func phraseNeedsAnIndexWithPositions() throws {
        let phrase = Filter(must: [.field(FieldCondition(key: "t", match: .phrase("brown fox")))])
        let doc: Payload = ["t": .string("quick brown fox")]
        let without = TextTokenizer(try TextIndexParams(["type": .string("text")]))
        let with = TextTokenizer(try TextIndexParams(["type": .string("text"), "phrase_matching": .bool(true)]))
        #expect(phrase.matches(id: nil, payload: doc))  // unindexed: the word tokenizer
        #expect(!phrase.bindingTextIndexes(["t": without]).matches(id: nil, payload: doc))
        #expect(phrase.bindingTextIndexes(["t": with]).matches(id: nil, payload: doc))
    }
}
