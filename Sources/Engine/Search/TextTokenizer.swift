import CStemmer
import Foundation

/// Tokenizes strings as a Qdrant 1.19 text index with `params` does
/// (`lib/segment/src/index/field_index/full_text_index/tokenizers/`): the tokenizer splits,
/// then each token is ascii-folded, lowercased, dropped if a stopword, stemmed, and dropped if
/// shorter than `min_token_len` (or, except for prefix documents, longer than `max_token_len`).
///
/// - `word`: runs of alphanumeric characters (Unicode alphabetic or numeric scalars).
/// - `whitespace`: runs of non-whitespace.
/// - `prefix`: words as `word`; a document holds every prefix of each word from
///   `min_token_len` (or 1) to `max_token_len` characters; a query word is not checked against
///   the stopwords and is cut to `max_token_len`.
/// - `multilingual`: Qdrant uses charabia (dictionary segmentation for Chinese and Japanese,
///   lossy normalization). qdb approximates it: words as `word`, diacritics removed, and each
///   Han, Hiragana, Katakana or Hangul character a token of its own.
///
/// ASCII folding uses ICU's Latin-ASCII transform (Qdrant's table is Lucene's; both map Latin
/// letters with marks, ligatures and ß to ASCII and leave other scripts alone).
public struct TextTokenizer: Sendable, Hashable {
    public let params: TextIndexParams

    public init(_ params: TextIndexParams) { self.params = params }

    /// The tokens of a stored string, in order (phrase matching needs the order).
    public func document(_ text: String) -> [String] {
        var out: [String] = []
        switch params.tokenizer {
        case .whitespace:
            for w in Self.split(text, by: Self.isWhitespace) { if let t = process(w, checkMax: true) { out.append(t) } }
        case .word:
            for w in Self.split(text, by: Self.isSeparator) { if let t = process(w, checkMax: true) { out.append(t) } }
        case .multilingual:
            for w in Self.multilingualWords(text) { if let t = process(w, checkMax: true) { out.append(t) } }
        case .prefix:
            let lo = max(params.minTokenLen ?? 1, 1), hi = params.maxTokenLen ?? Int.max
            for w in Self.split(text, by: Self.isSeparator) {
                guard let word = process(w, checkMax: false) else { continue }
                let chars = Array(word.unicodeScalars)
                var n = lo
                while n <= hi {
                    if chars.count > n { out.append(String(String.UnicodeScalarView(chars[0..<n]))) } else {
                        out.append(word)
                        break
                    }
                    n += 1
                }
            }
        }
        return out
    }

    /// The tokens of a query string (`text`, `text_any`); for `phrase` Qdrant uses `document`.
    public func query(_ text: String) -> [String] {
        guard params.tokenizer == .prefix else { return document(text) }
        var out: [String] = []
        for w in Self.split(text, by: Self.isSeparator) {
            var t = fold(w)
            if params.lowercase { t = t.lowercased() }
            t = stem(t)
            let chars = Array(t.unicodeScalars)
            if let min = params.minTokenLen, chars.count < min { continue }
            if let max = params.maxTokenLen, chars.count > max { t = String(String.UnicodeScalarView(chars[0..<max])) }
            out.append(t)
        }
        return out
    }

    func process(_ token: String, checkMax: Bool) -> String? {
        guard !token.isEmpty else { return nil }
        var t = fold(token)
        if params.lowercase { t = t.lowercased() }
        if params.stopwords.contains(t) { return nil }
        t = stem(t)
        let n = t.unicodeScalars.count
        if let min = params.minTokenLen, n < min { return nil }
        if checkMax, let max = params.maxTokenLen, n > max { return nil }
        return t
    }

    private func fold(_ s: String) -> String {
        guard params.asciiFolding, !s.utf8.allSatisfy({ $0 < 0x80 }) else { return s }
        return s.applyingTransform(StringTransform("Latin-ASCII"), reverse: false) ?? s
    }

    private func stem(_ s: String) -> String {
        guard let lang = params.stemmer else { return s }
        return Snowball.stem(s, language: lang)
    }

    static func isSeparator(_ u: Unicode.Scalar) -> Bool {
        if u.properties.isAlphabetic { return false }
        switch u.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return false
        default: return true
        }
    }

    static func isWhitespace(_ u: Unicode.Scalar) -> Bool { u.properties.isWhitespace }

    static func split(_ s: String, by separator: (Unicode.Scalar) -> Bool) -> [String] {
        s.unicodeScalars.split(whereSeparator: separator).map { String(String.UnicodeScalarView($0)) }
    }

    static func isCJK(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FA1F: return true
        default: return false
        }
    }

    static func multilingualWords(_ s: String) -> [String] {
        var out: [String] = []
        for w in split(s, by: isSeparator) {
            var run = String.UnicodeScalarView()
            for u in w.unicodeScalars {
                if isCJK(u) {
                    if !run.isEmpty { out.append(String(run)); run = .init() }
                    out.append(String(u))
                } else {
                    run.append(u)
                }
            }
            if !run.isEmpty { out.append(String(run)) }
        }
        // charabia's lossy normalizer removes marks; tokens without a letter are dropped.
        return out.map { $0.folding(options: [.diacriticInsensitive], locale: nil) }
            .filter { $0.unicodeScalars.contains(where: { $0.properties.isAlphabetic }) }
    }
}

/// Snowball stemmers through libstemmer (the C library of the Snowball project; Qdrant's
/// rust-stemmers implements the same algorithms). A stemmer is not thread-safe, so each use
/// takes its language's lock.
enum Snowball {
    /// The languages of Qdrant's `SnowballLanguage` that libstemmer has.
    static let languages: Set<String> = [
        "arabic", "danish", "dutch", "english", "finnish", "french", "german", "greek", "hungarian", "italian",
        "norwegian", "portuguese", "romanian", "russian", "spanish", "swedish", "tamil", "turkish",
    ]

    private final class Stemmer: @unchecked Sendable {
        let lock = NSLock()
        let handle: OpaquePointer?
        init(_ lang: String) { handle = sb_stemmer_new(lang, "UTF_8") }
    }

    private static let cache = NSLock()
    nonisolated(unsafe) private static var stemmers: [String: Stemmer] = [:]

    static func stem(_ word: String, language: String) -> String {
        let s: Stemmer = cache.withLock {
            if let s = stemmers[language] { return s }
            let s = Stemmer(language)
            stemmers[language] = s
            return s
        }
        guard let h = s.handle else { return word }
        return s.lock.withLock {
            let bytes = Array(word.utf8)
            guard let out = bytes.withUnsafeBufferPointer({ sb_stemmer_stem(h, $0.baseAddress, Int32($0.count)) }) else { return word }
            let n = Int(sb_stemmer_length(h))
            return String(decoding: UnsafeBufferPointer(start: out, count: n), as: UTF8.self)
        }
    }
}
