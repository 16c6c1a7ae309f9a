import Foundation
import Testing
@testable import Engine

@Suite struct BackgroundTaskTests {
    struct Boom: Error {}

    @Test func returnsItsResultAndRethrowsItsError() throws {
        let ok = BackgroundTask { (1...1000).reduce(0, +) }
        #expect(try ok.wait() == 500_500)
        #expect(try ok.wait() == 500_500)  // again, at once
        let failing = BackgroundTask { () throws -> Int in throw Boom() }
        #expect(throws: Boom.self) { try failing.wait() }
    }

    @Test func syncTreeSyncsNestedFilesAndRefusesAMissingTree() throws {
        let dir = TempDir()
        try FileIO.makeDirectories(dir.path + "/a/b")
        try FileIO.writeAtomically([1, 2, 3], to: dir.path + "/a/b/f")
        try FileIO.writeAtomically([4], to: dir.path + "/g")
        #expect(symlink("/nonexistent", dir.path + "/a/link") == 0)  // skipped, not followed
        try FileIO.syncTree(dir.path)
        #expect(throws: StorageError.self) { try FileIO.syncTree(dir.path + "/missing") }
    }
}
