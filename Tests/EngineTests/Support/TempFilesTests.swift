import Foundation
import Logging
import Testing
@testable import Engine
#if canImport(Glibc)
import Glibc
#endif

@Suite struct TempFilesTests {
    func scratch() -> String {
        let dir = NSTemporaryDirectory() + "/qdb-temps-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A directory chain deeper than PATH_MAX allows to name from the top (as a hostile archive
    /// can stage): made with mkdirat/openat, as the extractor does.
    func deepChain(in root: String, levels: Int) {
        var fd = open(root, O_RDONLY | O_DIRECTORY)
        for _ in 0..<levels {
            #expect(mkdirat(fd, "aaaaaaaa", 0o755) == 0)
            let next = openat(fd, "aaaaaaaa", O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = next
        }
        let f = openat(fd, "leaf", O_WRONLY | O_CREAT, 0o644)
        close(f)
        close(fd)
    }

    @Test func removeTreeRemovesPathsLongerThanPathMax() {
        let root = scratch()
        deepChain(in: root + "", levels: 700)  // 700 × 9 bytes ≈ 6.3 KB below root
        #expect(FileIO.removeTree(root).isEmpty)
        #expect(!FileIO.exists(root))
    }

    @Test func removeTreeOfAFileAndOfNothing() {
        let root = scratch()
        let file = root + "/f"
        writeFile(file, [1, 2])
        #expect(FileIO.removeTree(file).isEmpty)
        #expect(!FileIO.exists(file))
        #expect(FileIO.removeTree(root + "/missing").isEmpty)
        FileIO.removeTree(root)
    }

    @Test func sweepRemovesEveryKindOfLeftoverAndKeepsData() throws {
        let root = scratch()
        defer { FileIO.removeTree(root) }
        let seg = "collections/c/0/segments"
        for d in ["tmp/restore-1/collection/0", seg + "/0b3c7a52-8f0e-4b6e-9a53-3f4c1e0d2a11", seg + "/0b3c7a52-8f0e-4b6e-9a53-3f4c1e0d2a12.tmp",
                  "collections/.creating-1", "collections/x.tmp-ABCDEF12"] {
            try FileManager.default.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true)
        }
        deepChain(in: root + "/tmp/restore-1", levels: 600)
        let keep = ["collections/c/config.json", "collections/c/0/shard.json", seg + "/0b3c7a52-8f0e-4b6e-9a53-3f4c1e0d2a11/segment.json",
                    "node.json", "collections/c/0/shard.json.tmp-notahex"]
        let leftovers = ["collections/c/0/shard.json.tmp-0a1B2c3D", "collections/c/config.json.tmp-DEADBEEF", "node.json.tmp-01234567",
                         "tmp/upload.tmp"]
        for f in keep + leftovers { writeFile(root + "/" + f, [7]) }
        TempFiles.sweep(root, logger: Logger(label: "test"))
        for f in keep { #expect(FileIO.exists(root + "/" + f), "\(f) was removed") }
        for f in leftovers { #expect(!FileIO.exists(root + "/" + f), "\(f) survived") }
        #expect(!FileIO.exists(root + "/" + seg + "/0b3c7a52-8f0e-4b6e-9a53-3f4c1e0d2a12.tmp"))
        #expect(!FileIO.exists(root + "/collections/.creating-1"))
        #expect(FileIO.exists(root + "/collections/x.tmp-ABCDEF12"), "a directory named like a temp file is data")
        #expect(FileIO.listDirectory(root + "/tmp").isEmpty)
    }

    @Test func redactionHidesRegisteredRoots() {
        let root = scratch()
        defer { FileIO.removeTree(root) }
        PathRedaction.register(root + "/storage", as: "storage")  // unique root: no reset, tests run in parallel
        let text = "open \(root)/storage/tmp/restore-1/x failed; see \(root)/storagefoo and `\(root)/storage`"
        #expect(PathRedaction.redact(text) == "open <storage>/tmp/restore-1/x failed; see \(root)/storagefoo and `<storage>`")
    }
}
