import Foundation

/// A small valid sealed segment that a fuzz target writes once per process (`build` returns its
/// directory), one of whose files each input replaces: the `segment`, `sparse-segment`,
/// `typed-segment` and `multi-segment` targets.
final class FuzzSegmentTemplate: @unchecked Sendable {
    private let build: () throws -> String
    /// Guards the template's creation and its use: one input at a time changes the shared files
    /// (tests replay corpora in parallel).
    private let lock = NSLock()
    private var dir: String?

    init(_ build: @escaping () throws -> String) { self.build = build }

    /// Replaces the file the input's first byte picks from `files` with the rest of the input,
    /// runs `body` on the segment's directory, and puts the original file back.
    func withReplacedFile(_ raw: UnsafeRawBufferPointer, from files: [String], _ body: (String) throws -> Void) throws {
        guard let first = raw.first else { return }
        try lock.withLock {
            let dir = try self.dir ?? build()
            self.dir = dir
            let path = dir + "/" + files[Int(first) % files.count]
            let original = try FileIO.readAll(path)
            try Segment.writeFile(path, Array(raw.dropFirst()))
            defer { try? Segment.writeFile(path, original) }
            try body(dir)
        }
    }
}
