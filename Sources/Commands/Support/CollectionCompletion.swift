import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Shell completion of collection names, cheap and bounded: with `--url` (or `QDB_URL`) on the
/// command line it asks the server (`GET /collections`, 1 s timeout, `--api-key`/`QDB_API_KEY`);
/// otherwise it lists `<storage>/collections/` (`--storage`, `QDB_STORAGE`, `./storage`). Any
/// failure completes nothing: a completion must never hang or print errors.
enum CollectionCompletion {
    static let kind = CompletionKind.custom { words, _, prefix in
        names(words: words).filter { $0.hasPrefix(prefix) }
    }

    static func names(words: [String]) -> [String] {
        let env = ProcessInfo.processInfo.environment
        if let url = value(of: "--url", in: words) ?? env["QDB_URL"] {
            return remote(url, apiKey: value(of: "--api-key", in: words) ?? env["QDB_API_KEY"])
        }
        let storage = value(of: "--storage", in: words) ?? env["QDB_STORAGE"] ?? "./storage"
        let dir = (storage as NSString).expandingTildeInPath + "/collections"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return entries.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The word after `option` (or the value of `option=value`), unquoted.
    static func value(of option: String, in words: [String]) -> String? {
        for (i, word) in words.enumerated() {
            if word == option, i + 1 < words.count { return unquote(words[i + 1]) }
            if word.hasPrefix(option + "=") { return unquote(String(word.dropFirst(option.count + 1))) }
        }
        return nil
    }

    static func unquote(_ word: String) -> String {
        guard word.count >= 2, let first = word.first, first == "'" || first == "\"", word.last == first else { return word }
        return String(word.dropFirst().dropLast())
    }

    static func remote(_ base: String, apiKey: String?) -> [String] {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        guard let url = URL(string: trimmed + "/collections") else { return [] }
        var request = URLRequest(url: url, timeoutInterval: 1)
        if let apiKey { request.setValue(apiKey, forHTTPHeaderField: "api-key") }
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 1
        config.timeoutIntervalForResource = 2
        let session = URLSession(configuration: config)
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        session.dataTask(with: request) { data, _, _ in
            box.data = data
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 2) == .success, let data = box.data else { return [] }
        struct Answer: Decodable {
            struct Result: Decodable { struct Item: Decodable { var name: String }; var collections: [Item] }
            var result: Result
        }
        let answer = try? JSONDecoder().decode(Answer.self, from: data)
        return answer?.result.collections.map(\.name).sorted() ?? []
    }

    private final class ResultBox: @unchecked Sendable {  // written once before the semaphore signals
        var data: Data?
    }
}
