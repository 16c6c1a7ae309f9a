import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A description and labels given to a snapshot when it is made (`?description=`, `?label=k=v`,
/// `--description`, `--label k=v`), kept beside the snapshot as `<file>.info.json` (an object
/// `<key>.info.json` on S3) and shown by list as the extra fields `description` and `labels`
/// (qdrant-client ignores them).
public struct SnapshotAnnotation: Codable, Sendable, Equatable {
    public static let suffix = ".info.json"
    public var description: String?
    public var labels: [String: String]?

    public init(description: String?, labels: [String: String]?) {
        self.description = description
        self.labels = labels
    }

    public var isEmpty: Bool { (description ?? "").isEmpty && (labels ?? [:]).isEmpty }

    /// Parses `k=v` pairs; keys are 1–64 of `[A-Za-z0-9_.-]`, values at most 256 bytes, at most 32.
    public static func parse(labels pairs: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "=") else {
                throw SnapshotError(.badInput, "label `\(pair)` is not KEY=VALUE")
            }
            let key = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            let keyOK = (1...64).contains(key.utf8.count) && key.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2E || c == 0x2D
            }
            guard keyOK else { throw SnapshotError(.badInput, "label key `\(key)` must be 1-64 of A-Z a-z 0-9 _ . -") }
            guard value.utf8.count <= 256, !value.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw SnapshotError(.badInput, "label `\(key)`: the value must be at most 256 bytes, without control characters")
            }
            out[key] = value
        }
        guard out.count <= 32 else { throw SnapshotError(.badInput, "at most 32 labels per snapshot, got \(out.count)") }
        return out
    }

    /// Checks a description: at most 1024 bytes, no control characters but newlines and tabs.
    public static func validate(description: String?) throws {
        guard let d = description else { return }
        guard d.utf8.count <= 1024, !d.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) else {
            throw SnapshotError(.badInput, "the description must be at most 1024 bytes, without control characters")
        }
    }

    static func read(beside path: String) -> SnapshotAnnotation? {
        guard let bytes = try? FileIO.readAll(path + suffix) else { return nil }
        return decode(bytes)
    }

    static func decode(_ bytes: [UInt8]) -> SnapshotAnnotation? {
        try? JSONDecoder().decode(SnapshotAnnotation.self, from: Data(bytes))
    }

    /// The JSON kept beside a snapshot (keys sorted).
    func encoded() throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return Array(try enc.encode(self))
    }

    func write(beside path: String) throws {
        let tmp = path + SnapshotAnnotation.suffix + ".tmp"
        try Segment.writeFile(tmp, try encoded())
        guard rename(tmp, path + SnapshotAnnotation.suffix) == 0 else { throw FileIO.ioError("rename \(tmp)") }
    }
}
