import Foundation

/// The SHA-256 and size of a local file, computed on a thread of its own over a read-only
/// mapping of the file (no copy into the process): `qdb verify` checks an archive's entries in
/// one pass and its whole-file checksum in this one, side by side, instead of handing every
/// chunk of one stream to a second hasher.
final class FileHashTask: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<(size: Int, sha256: String), any Error> = .failure(CancellationError())

    init(path: String) {
        Thread.detachNewThread { [self] in
            outcome = Result {
                let hasher = SHA256Hasher()
                guard let mapping = try MappedFile(path: path) else { return (0, hasher.finalizeHex()) }
                hasher.update(UnsafeRawBufferPointer(start: mapping.base, count: mapping.count))
                return (mapping.count, hasher.finalizeHex())
            }
            done.signal()
        }
    }

    /// Waits for the digest.
    func result() throws -> (size: Int, sha256: String) {
        done.wait()
        done.signal()  // later calls return at once
        return try outcome.get()
    }
}
