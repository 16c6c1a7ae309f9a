import Engine
import Foundation
import NIOCore
import Testing
@testable import Commands
#if canImport(Glibc)
import Glibc
#endif

/// One mapping from errors to HTTP statuses and exit codes: data problems are 400 / 65, a full
/// disk is 507 / 74 however it was raised, and no message shows a registered server path.
@Suite(.serialized) struct ErrorStatusTests {
    @Test func diskFullIs507AndExit74Everywhere() {
        let errors: [any Error] = [
            ArchiveError(.insufficientStorage, "write snapshot failed: No space left on device"),
            StorageError(.insufficientStorage, "write WAL failed: No space left on device"),
            SnapshotError(.insufficientStorage, "no space"),
            IOError(errnoCode: ENOSPC, reason: "write"),
        ]
        for e in errors {
            #expect(APIError.from(e).status.code == 507, "\(e)")
            #expect(APIError.from(e).message.hasPrefix("Insufficient storage"), "\(e)")
        }
        for e in errors.prefix(3) { #expect(ExitStatus.code(for: e) == 74, "\(e)") }
    }

    @Test func dataProblemsAre400AndExit65() {
        let errors: [any Error] = [
            BoundsError("segment.json `points`", "declares 1000000000000 items but only 45 bytes hold them"),
            ArchiveError(.tooLarge, "Tar entry `0/bomb` declares 4294967296 bytes"),
            SnapshotError(.corrupt, "snapshot data is damaged: segment segments/x is damaged"),
        ]
        for e in errors {
            #expect(APIError.from(e).status.code == 400, "\(e)")
            #expect(ExitStatus.code(for: e) == 65, "\(e)")
        }
    }

    @Test func serverPathsAreRedacted() {
        let root = NSTemporaryDirectory() + "qdb-redact-\(UUID().uuidString)"
        PathRedaction.register(root + "/storage", as: "storage")  // unique root: no reset, tests run in parallel
        let e = StorageError(.io, "exchange \(root)/storage/tmp/restore-1/collection with \(root)/storage/collections/c failed: EIO")
        let message = APIError.from(e).message
        #expect(!message.contains(root), "\(message)")
        #expect(message.contains("<storage>/tmp/restore-1/collection"))
    }
}
