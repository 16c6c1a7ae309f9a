import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the server's absolute paths out of responses and log lines: the directories qdb writes
/// (storage, snapshots, temp) are registered once at startup under a label, and `redact` turns
/// every spelling of them (as configured, made absolute, and with symlinks resolved) into
/// `<label>`, so `/srv/qdb/storage/tmp/restore-…/collection/0` reads `<storage>/tmp/restore-…/collection/0`.
///
/// Error messages are built deep in the engine, where a path is the natural thing to name; this
/// one filter at the edges (the REST/gRPC error mapping and the log handlers) is the policy, so
/// no message on its way out can forget it.
public enum PathRedaction {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var roots: [(prefix: String, label: String)] = []

    /// Registers `path` (a directory qdb writes) as `<label>` in redacted text.
    public static func register(_ path: String, as label: String) {
        var spellings: Set<String> = []
        func add(_ p: String) {
            var p = p
            while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
            if p.count > 1 { spellings.insert(p) }
        }
        add(path)
        if !path.hasPrefix("/") { add(FileManager.default.currentDirectoryPath + "/" + path) }
        if let real = realpath(path, nil) {
            add(String(cString: real))
            free(real)
        }
        lock.withLock {
            for s in spellings where !roots.contains(where: { $0.prefix == s }) { roots.append((s, "<\(label)>")) }
            // Longest first, so a nested root (snapshots inside storage) wins over its parent.
            roots.sort { $0.prefix.utf8.count > $1.prefix.utf8.count }
        }
    }

    /// Forgets every registered root (tests).
    public static func reset() { lock.withLock { roots = [] } }

    /// `text` with every registered root replaced by its label. Only whole path prefixes are
    /// replaced: a root followed by `/`, a quote, whitespace or the end of the text.
    public static func redact(_ text: String) -> String {
        let current = lock.withLock { roots }
        guard !current.isEmpty else { return text }
        var out = text
        for (prefix, label) in current where out.contains(prefix) {
            out = replacePrefix(prefix, with: label, in: out)
        }
        return out
    }

    private static func replacePrefix(_ prefix: String, with label: String, in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let r = rest.range(of: prefix) {
            let after = rest[r.upperBound...].first
            let boundary = after == nil || after == "/" || after == "\"" || after == "'" || after == "`" || after!.isWhitespace
                || after == ")" || after == ":" || after == ","
            result += rest[..<r.lowerBound]
            result += boundary ? label : prefix
            rest = rest[r.upperBound...]
        }
        return result + rest
    }
}
