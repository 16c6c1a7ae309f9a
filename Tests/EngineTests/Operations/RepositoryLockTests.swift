import Foundation
import Testing
@testable import Engine

@Suite struct RepositoryLockTests {
    @Test func secondTakerIsRefusedNamingTheHolder() throws {
        let dir = TempDir()
        let lock = try RepositoryLock.acquire(root: dir.path, purpose: "test prune")
        do {
            _ = try RepositoryLock.acquire(root: dir.path, purpose: "other", wait: .milliseconds(200))
            Issue.record("a held lock was taken twice")
        } catch let e as OperationError {
            #expect(e.code == .locked)
            #expect(e.message.contains("pid \(getpid())") && e.message.contains("test prune"))
        }
        lock.release()
        let again = try RepositoryLock.acquire(root: dir.path, purpose: "after")
        again.release()
    }
}
