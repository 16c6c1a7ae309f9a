import Foundation
import Testing
@testable import Engine

/// A corpus of hostile archives, generated here (no checked-in binaries). Each one must be
/// refused with the right code, write nothing outside staging, and never follow a symlink that
/// appears under staging while the extraction runs.
@Suite struct HostileArchiveTests {
    enum Case: String, CaseIterable, Sendable {
        case symlink, symlinkThenWriteThrough, hardlink, parentDir, absolute, dotDotInside
        case charDevice, fifo, controlCharacter
        case truncatedInData, truncatedInHeader, garbage, empty, gzip
        case entryTooLarge, totalTooLarge, tooManyEntries
        case plantedDirectorySymlink, plantedFileSymlink, duplicateFile, fileOverDirectory, directoryOverFile
    }

    struct Spec {
        var bytes: [UInt8]
        var code: ArchiveError.Code
        var message: String? = nil
        var limits = ExtractLimits()
        /// Starts with `pad.bin`, so the planted symlinks appear mid-extraction.
        var padded = true
        /// Nothing of the hostile entry may appear in staging (only pad.bin and the planted links).
        var stagingUntouched = true
    }

    static let padBytes = pseudoRandomBytes(8192)
    static let pad = RawTarEntry(path: "pad.bin", data: padBytes)

    static func spec(_ c: Case, absolutePath: String, scratch: String) throws -> Spec {
        func padded(_ entries: RawTarEntry...) -> [UInt8] { makeRawTar([pad] + entries) }
        let forbidden = { (type: String) in "Forbidden entry type in tar archive: \(type)" }
        switch c {
        case .symlink:
            return Spec(bytes: padded(RawTarEntry(path: "evil", kind: .symlink("/etc/passwd"))), code: .forbiddenEntry, message: forbidden("Symlink"))
        case .symlinkThenWriteThrough:
            return Spec(
                bytes: padded(RawTarEntry(path: "escape", kind: .symlink("../outside")), RawTarEntry(path: "escape/pwned", data: [1])),
                code: .forbiddenEntry, message: forbidden("Symlink"))
        case .hardlink:
            return Spec(bytes: padded(RawTarEntry(path: "hl", kind: .hardlink("/etc/passwd"))), code: .forbiddenEntry, message: forbidden("Link"))
        case .parentDir:
            return Spec(bytes: padded(RawTarEntry(path: "../x", data: [1])), code: .unsafePath)
        case .absolute:
            return Spec(bytes: padded(RawTarEntry(path: absolutePath, data: [1])), code: .unsafePath)
        case .dotDotInside:
            return Spec(bytes: padded(RawTarEntry(path: "a/../../b", data: [1])), code: .unsafePath)
        case .charDevice:
            return Spec(bytes: padded(RawTarEntry(path: "null", kind: .charDevice)), code: .forbiddenEntry, message: forbidden("Char"))
        case .fifo:
            return Spec(bytes: padded(RawTarEntry(path: "pipe", kind: .fifo)), code: .forbiddenEntry, message: forbidden("Fifo"))
        case .controlCharacter:
            return Spec(bytes: padded(RawTarEntry(path: "a\u{1b}[2Jb", data: [1])), code: .unsafePath)
        case .truncatedInData:
            let full = padded(RawTarEntry(path: "big.bin", data: pseudoRandomBytes(64 * 1024)))
            return Spec(bytes: Array(full[..<(8704 + 512 + 30_000)]), code: .corrupt, message: ArchiveError.malformedMessage, stagingUntouched: false)
        case .truncatedInHeader:
            let full = padded(RawTarEntry(path: "next.bin", data: [1, 2, 3]))
            return Spec(bytes: Array(full[..<(8704 + 200)]), code: .corrupt, message: ArchiveError.malformedMessage)
        case .garbage:
            return Spec(bytes: pseudoRandomBytes(100_000, seed: 42), code: .corrupt, message: ArchiveError.malformedMessage, padded: false)
        case .empty:
            return Spec(bytes: [], code: .corrupt, message: ArchiveError.malformedMessage, padded: false)
        case .gzip:
            let dir = scratch + "/gz"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            writeFile(dir + "/f.json", Array("{}".utf8))
            #expect(try runTool(["tar", "czf", scratch + "/a.tar.gz", "-C", dir, "f.json"]).status == 0)
            let bytes = readFile(scratch + "/a.tar.gz")!
            #expect(bytes.starts(with: [0x1f, 0x8b]))
            return Spec(bytes: bytes, code: .corrupt, message: ArchiveError.malformedMessage, padded: false)
        case .entryTooLarge:
            return Spec(
                bytes: padded(RawTarEntry(path: "huge.bin", data: pseudoRandomBytes(200 * 1024))), code: .tooLarge,
                limits: ExtractLimits(maxEntrySize: 100 * 1024))
        case .totalTooLarge:
            let parts = (0..<3).map { RawTarEntry(path: "part\($0)", data: pseudoRandomBytes(40 * 1024, seed: UInt64($0 + 7))) }
            return Spec(
                bytes: makeRawTar([pad] + parts), code: .tooLarge, limits: ExtractLimits(maxTotalSize: 100 * 1024),
                stagingUntouched: false)
        case .tooManyEntries:
            let many = (0..<10).map { RawTarEntry(path: "f\($0)", data: [UInt8($0)]) }
            return Spec(bytes: makeRawTar([pad] + many), code: .tooLarge, limits: ExtractLimits(maxEntries: 5), stagingUntouched: false)
        case .plantedDirectorySymlink:
            return Spec(bytes: padded(RawTarEntry(path: "link/pwned", data: [1])), code: .corrupt)
        case .plantedFileSymlink:
            return Spec(bytes: padded(RawTarEntry(path: "flink", data: [1])), code: .corrupt)
        case .duplicateFile:
            return Spec(bytes: padded(RawTarEntry(path: "pad.bin", data: [0])), code: .corrupt)
        case .fileOverDirectory:
            return Spec(
                bytes: padded(RawTarEntry(path: "d", kind: .directory), RawTarEntry(path: "d", data: [1])), code: .corrupt,
                stagingUntouched: false)
        case .directoryOverFile:
            return Spec(
                bytes: padded(RawTarEntry(path: "f", data: [1]), RawTarEntry(path: "f/g", data: [2])), code: .corrupt,
                stagingUntouched: false)
        }
    }

    @Test(arguments: Case.allCases)
    func isRefusedAndNothingEscapesStaging(_ c: Case) throws {
        let root = TempDir()
        let scratch = TempDir()
        let staging = root.path + "/staging"
        let outside = root.path + "/outside"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: false)
        let absolutePath = NSTemporaryDirectory() + "qdb-abs-\(UUID().uuidString)"
        let spec = try Self.spec(c, absolutePath: absolutePath, scratch: scratch.path)

        // Plant symlinks to `outside` once the extraction is under way (staging must be empty
        // when it starts): the extractor must refuse to write through them.
        let source = InjectingSource(spec.bytes, chunk: 1024, after: 4096) {
            symlink(outside, staging + "/link")
            symlink(outside + "/f", staging + "/flink")
        }
        let error = archiveError {
            let extractor = TarExtractor(reader: try TarReader(source: source), staging: staging)
            _ = try extractor.extract(limits: spec.limits, fsync: true)
        }
        #expect(error?.code == spec.code, "\(c): \(String(describing: error))")
        if let message = spec.message { #expect(error?.message == message) }
        if spec.padded {
            #expect(source.fired, "the symlinks were planted mid-extraction")
            #expect(readFile(staging + "/pad.bin") == Self.padBytes, "the benign prefix was extracted")
        }
        // Nothing outside staging, nothing through the links.
        let fm = FileManager.default
        #expect(try fm.contentsOfDirectory(atPath: root.path).sorted() == ["outside", "staging"])
        #expect(try fm.contentsOfDirectory(atPath: outside) == [])
        #expect(!fm.fileExists(atPath: absolutePath))
        if spec.stagingUntouched {
            let allowed: Set<String> = spec.padded ? ["pad.bin", "link", "flink"] : []
            #expect(Set(try fm.contentsOfDirectory(atPath: staging)).isSubset(of: allowed))
        }
    }

    /// The reader alone refuses the same entries before any byte of them is returned.
    @Test func readerRefusesBeforeReturningTheEntry() throws {
        let reader = try TarReader(source: BufferSource(makeRawTar([
            Self.pad, RawTarEntry(path: "evil", kind: .symlink("/etc/shadow")), RawTarEntry(path: "after", data: [1]),
        ])))
        #expect(try reader.next()?.path == "pad.bin")
        let e = archiveError { _ = try reader.next() }
        #expect(e?.code == .forbiddenEntry)
        #expect(e?.path == "evil")
        #expect(reader.current == nil)
        // The reader stays failed: the entry after the symlink is never reached.
        #expect(archiveError { _ = try reader.next() }?.code == .forbiddenEntry)
    }

    /// A header declaring more data than the whole stream holds (900 GiB in base-256 behind a
    /// 1 KiB archive) is a forged or truncated archive, refused as corrupt whatever the disk's
    /// free space; before, it was checked against the free space first and answered "insufficient
    /// storage" (507) on a machine with less than 900 GiB free, 400 on one with more.
    @Test func dataBeyondTheStreamIsCorruptNotAFullDisk() throws {
        var tar = makeRawTar([RawTarEntry(path: "big.bin", data: pseudoRandomBytes(1024))])
        let size: UInt64 = 900 << 30
        tar[124] = 0x80
        for i in 0..<11 { tar[125 + i] = i < 3 ? 0 : UInt8(truncatingIfNeeded: size >> (8 * UInt64(10 - i))) }
        for i in 148..<156 { tar[i] = 0x20 }
        let sum = tar[0..<512].reduce(0) { $0 + Int($1) }
        let field = Array(String(format: "%06o", sum).utf8) + [0, 0x20]
        tar.replaceSubrange(148..<156, with: field)

        let staging = TempDir()
        let known = archiveError {
            _ = try TarExtractor(reader: try TarReader(source: BufferSource(tar)), staging: staging.path).extract()
        }
        #expect(known?.code == .corrupt, "\(String(describing: known))")
        #expect(known?.message.contains("more than the whole archive's \(tar.count) bytes") == true, "\(String(describing: known))")
        #expect(known?.path == "big.bin")
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path) == [])

        // A stream of unknown length cannot be bounded: the free-space check still refuses
        // what cannot fit, before a byte is written.
        guard let free = Bounds.freeBytes(at: staging.path), free < Int(size) else { return }
        let unknown = archiveError {
            let source = InjectingSource(tar, after: Int.max) {}
            _ = try TarExtractor(reader: try TarReader(source: source), staging: staging.path).extract()
        }
        #expect(unknown?.code == .insufficientStorage, "\(String(describing: unknown))")
    }

    /// A compressed stream bounds nothing: an entry may hold far more than the zstd bytes.
    @Test func aCompressedEntryLargerThanItsStreamIsExtracted() throws {
        let collected = ArchiveBytes()
        let sink = try ZstdSink(CallbackSink(write: { collected.bytes.append(contentsOf: $0) }))
        try sink.write(makeRawTar([RawTarEntry(path: "zeros.bin", data: [UInt8](repeating: 0, count: 4 << 20))]))
        try sink.close()
        #expect(collected.bytes.count < 1 << 20)
        let staging = TempDir()
        let digests = try TarExtractor(reader: try TarReader(source: BufferSource(collected.bytes)), staging: staging.path).extract()
        #expect(digests.map(\.size) == [4 << 20])
    }

    /// libarchive's own error text stays out of the message (it may quote input bytes) but is
    /// kept in `cause` for logs.
    @Test func corruptInputHidesLibarchiveText() throws {
        let secret = Array("root:x:0:0:secret-password-hash:/root:/bin/bash\n".utf8)
        let e = archiveError {
            let r = try TarReader(source: BufferSource(secret + [UInt8](repeating: 0x41, count: 2000)))
            while try r.next() != nil {}
        }
        #expect(e?.code == .corrupt)
        #expect(e?.message == ArchiveError.malformedMessage)
        #expect(!(e?.description.contains("secret") ?? true))
        #expect(e?.cause is ArchiveError.LibarchiveFailure)
    }
}

private final class ArchiveBytes { var bytes: [UInt8] = [] }
