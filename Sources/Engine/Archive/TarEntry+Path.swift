/// Entry-path rules shared by the writer (strict: it only produces canonical paths) and the
/// reader (lenient on harmless spellings such as `./a` or `a//b`, strict on anything unsafe).
extension TarEntry {
    /// Longest path and path component the extractor can create on Linux.
    static let maxPathBytes = 4095
    static let maxComponentBytes = 255
    /// Deepest path an archive may hold: Qdrant's and qdb's layouts nest fewer than 12 levels; a
    /// 2,000-level path made every later step over the staged tree quadratic (or worse).
    static let maxComponents = 64

    /// The result of normalizing a path read from an archive.
    enum NormalizedPath: Equatable {
        /// A relative path whose components are all plain names, joined with `/`.
        case relative(String)
        /// `.` or `./`: the archive's own root (emitted by `tar -C dir -cf x .`).
        case root
    }

    /// Normalizes a raw entry name from an archive: strips leading `./`, drops `.` and empty
    /// components and a trailing `/`; rejects empty names, absolute paths, `..` anywhere,
    /// control characters and invalid UTF-8 with `.unsafePath`.
    static func normalize(rawPath bytes: UnsafeBufferPointer<UInt8>) throws -> NormalizedPath {
        let shown = String(decoding: bytes.prefix(200), as: UTF8.self)
        func unsafe(_ why: String) -> ArchiveError {
            ArchiveError(.unsafePath, "Unsafe path in tar archive (\(why)): `\(shown)`", path: shown)
        }
        if bytes.isEmpty { throw ArchiveError(.unsafePath, "Unsafe path in tar archive (empty name)", path: "") }
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7f }) { throw unsafe("control character") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw unsafe("not valid UTF-8") }
        if bytes.first == UInt8(ascii: "/") { throw unsafe("absolute path") }
        var parts: [Substring] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: true) {
            if part == ".." { throw unsafe("`..` component") }
            if part == "." { continue }
            if part.utf8.count > maxComponentBytes { throw unsafe("component longer than \(maxComponentBytes) bytes") }
            parts.append(part)
        }
        if parts.isEmpty { return .root }
        if parts.count > maxComponents { throw unsafe("more than \(maxComponents) path components") }
        let joined = parts.joined(separator: "/")
        if joined.utf8.count > maxPathBytes { throw unsafe("longer than \(maxPathBytes) bytes") }
        return .relative(joined)
    }

    /// Checks a path given to the writer: relative, `/`-separated plain names (no empty, `.` or
    /// `..` components, no control characters). A trailing `/` is allowed for directories.
    static func validateForWriting(_ path: String, directory: Bool) throws -> String {
        func bad(_ why: String) -> ArchiveError {
            ArchiveError(
                .unsafePath, "Refusing to write tar entry `\(path)`: \(why); use a relative path of plain names",
                path: path)
        }
        var p = Substring(path)
        if directory && p.hasSuffix("/") { p = p.dropLast() }
        if p.isEmpty { throw bad("empty path") }
        if p.hasPrefix("/") { throw bad("absolute path") }
        if p.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) { throw bad("control character") }
        if p.utf8.count > maxPathBytes { throw bad("longer than \(maxPathBytes) bytes") }
        for part in p.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { throw bad("empty path component") }
            if part == "." || part == ".." { throw bad("`\(part)` component") }
            if part.utf8.count > maxComponentBytes { throw bad("component longer than \(maxComponentBytes) bytes") }
        }
        return String(p)
    }
}
