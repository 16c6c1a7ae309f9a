import Foundation

extension SnapshotError {
    /// Decodes one small JSON entry of an unpacked archive (`qdb.json`, `config.json`, …).
    /// The file's size is checked before it is read, and a failure is `.corrupt` with a short
    /// message naming the entry and the key path — never Foundation's own description of a
    /// `DecodingError`, which for damaged bytes once asked for tens of gigabytes.
    /// - Parameters:
    ///   - path: the file in staging.
    ///   - entry: the archive entry name for the message (never an absolute server path).
    ///   - check: a validation run on the decoded value; its `StorageError`/`SnapshotError`
    ///     message is kept.
    static func decodeEntry<T: Decodable>(
        _ type: T.Type, at path: String, entry: String, limit: Int = 16 << 20, check: (T) throws -> Void = { _ in }
    ) throws -> T {
        do {
            let bytes = try SegmentFiles.readSmall(path, entry, limit: limit)
            let value = try JSONDecoder().decode(T.self, from: Data(bytes))
            try check(value)
            return value
        } catch {
            throw SnapshotError(.corrupt, "snapshot \(entry) is unreadable: \(describeDecoding(error))")
        }
    }

    /// `SegmentState.describe` for decoding errors; the message of qdb's own errors as is.
    static func describeDecoding(_ error: Error) -> String {
        switch error {
        case let e as StorageError: return e.message
        case let e as SnapshotError: return e.message
        default: return SegmentState.describe(error)
        }
    }
}
