import Foundation
import Testing
@testable import Engine

/// A by-hand throughput check, off unless `QDB_TAR_BENCH_DIR` names a directory:
/// `QDB_TAR_BENCH_DIR=/path swift test --filter TarTests/benchmark`. Prints timings; asserts
/// only that the archives are complete.
extension TarTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["QDB_TAR_BENCH_DIR"] != nil))
    func benchmarkWriterAgainstGnuTar() throws {
        let dir = ProcessInfo.processInfo.environment["QDB_TAR_BENCH_DIR"]!
        var entries: [(path: String, isDir: Bool)] = []
        let e = FileManager.default.enumerator(atPath: dir)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir)
            entries.append((rel, isDir.boolValue))
        }
        let total = entries.filter { !$0.isDir }.reduce(0) { acc, f in
            acc + ((try? FileManager.default.attributesOfItem(atPath: dir + "/" + f.path)[.size] as? Int) ?? 0)
        }
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try body()
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        func writeArchive(into sink: any ByteSink, bufferSize: Int) throws -> Int {
            let w = try TarWriter(sink: sink, bufferSize: bufferSize)
            for entry in entries {
                if entry.isDir { try w.addDirectory(entry.path) } else { try w.addFile(entry.path, fromDisk: dir + "/" + entry.path) }
            }
            try w.finish()
            return w.digests.count
        }
        /// TarWriter into a pipe drained by `cat > /dev/null`, like `qdb snapshot create -o -`.
        func viaPipe(bufferSize: Int) throws -> Double {
            let cat = Process()
            cat.executableURL = URL(fileURLWithPath: "/bin/sh")
            cat.arguments = ["-c", "cat > /dev/null"]
            let pipe = Pipe()
            cat.standardInput = pipe
            try cat.run()
            let t = try seconds {
                let n = try writeArchive(into: FileDescriptorSink(fd: pipe.fileHandleForWriting.fileDescriptor), bufferSize: bufferSize)
                #expect(n == entries.filter { !$0.isDir }.count)
                try pipe.fileHandleForWriting.close()
                cat.waitUntilExit()
            }
            return t
        }
        func gnuTar() throws -> Double {
            try seconds {
                let status = try runTool(["sh", "-c", "tar cf - -C '\(dir)' . | cat > /dev/null"]).status
                #expect(status == 0)
            }
        }
        func hashOnly() throws -> Double {
            try seconds { for f in entries where !f.isDir { _ = try SHA256Hasher.hexDigest(ofFile: dir + "/" + f.path) } }
        }
        func discard(bufferSize: Int) throws -> Double {
            try seconds { _ = try writeArchive(into: CallbackSink(write: { _ in }), bufferSize: bufferSize) }
        }
        _ = try gnuTar()  // warm the page cache
        var results: [String: [Double]] = [:]
        for _ in 0..<5 {
            results["gnu tar | cat", default: []].append(try gnuTar())
            results["TarWriter 10 KiB | cat", default: []].append(try viaPipe(bufferSize: 10 * 1024))
            results["TarWriter 32 KiB | cat", default: []].append(try viaPipe(bufferSize: 32 * 1024))
            results["TarWriter 64 KiB | cat", default: []].append(try viaPipe(bufferSize: 64 * 1024))
            results["TarWriter 256 KiB | cat", default: []].append(try viaPipe(bufferSize: 256 * 1024))
            results["TarWriter 1 MiB | cat", default: []].append(try viaPipe(bufferSize: 1 << 20))
            results["TarWriter 64 KiB -> discard", default: []].append(try discard(bufferSize: 64 * 1024))
            results["SHA-256 only", default: []].append(try hashOnly())
        }
        let mib = Double(total) / 1_048_576
        print("benchmark: \(entries.count) entries, \(Int(mib)) MiB")
        for (name, ts) in results.sorted(by: { $0.key < $1.key }) {
            let s = ts.sorted()
            print(String(format: "benchmark: %@ min %.2f s  median %.2f s  (%.0f MiB/s at min)", name as NSString, s[0], s[s.count / 2], mib / s[0]))
        }
    }
}
