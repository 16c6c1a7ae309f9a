import CArchive
import Foundation
import Testing
@testable import Engine

/// Runs a command-line tool (`tar`, `openssl`) and returns its exit status and stdout.
@discardableResult
func runTool(_ args: [String], cwd: String? = nil) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Deterministic, incompressible-looking bytes (xorshift).
func pseudoRandomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var x = seed | 1
    var out = [UInt8](repeating: 0, count: count)
    out.withUnsafeMutableBytes { raw in
        var i = 0
        while i < count {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            withUnsafeBytes(of: x) { w in
                let n = min(8, count - i)
                raw.baseAddress!.advanced(by: i).copyMemory(from: w.baseAddress!, byteCount: n)
            }
            i += 8
        }
    }
    return out
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
}

func readFile(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}

/// One entry of a tar built directly with libarchive, bypassing TarWriter's refusals.
struct RawTarEntry {
    enum Kind { case file, directory, symlink(String), hardlink(String), charDevice, fifo }
    var path: String
    var kind: Kind = .file
    var data: [UInt8] = []
}

/// Writes a GNU tar holding exactly `entries`, whatever they are, and returns its bytes.
func makeRawTar(_ entries: [RawTarEntry]) -> [UInt8] {
    let a = archive_write_new()!
    defer { archive_write_free(a) }
    archive_write_set_format_gnutar(a)
    archive_write_set_bytes_in_last_block(a, 1)
    let box = Unmanaged.passRetained(OutBox())
    defer { box.release() }
    let r = archive_write_open(
        a, box.toOpaque(), nil,
        { _, client, data, len in
            Unmanaged<OutBox>.fromOpaque(client!).takeUnretainedValue().bytes
                .append(contentsOf: UnsafeRawBufferPointer(start: data, count: len))
            return len
        }, nil)
    precondition(r == ARCHIVE_OK)
    for e in entries {
        let entry = archive_entry_new()!
        defer { archive_entry_free(entry) }
        archive_entry_copy_pathname(entry, e.path)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_mtime(entry, 0, 0)
        var size = 0
        switch e.kind {
        case .file:
            archive_entry_set_filetype(entry, UInt32(QDB_AE_IFREG))
            size = e.data.count
        case .directory:
            archive_entry_set_filetype(entry, UInt32(QDB_AE_IFDIR))
        case .symlink(let target):
            archive_entry_set_filetype(entry, UInt32(QDB_AE_IFLNK))
            archive_entry_copy_symlink(entry, target)
        case .hardlink(let target):
            archive_entry_set_filetype(entry, UInt32(QDB_AE_IFREG))
            archive_entry_copy_hardlink(entry, target)
        case .charDevice:
            archive_entry_set_filetype(entry, 0o020000)
            archive_entry_set_rdevmajor(entry, 1)
            archive_entry_set_rdevminor(entry, 3)
        case .fifo:
            archive_entry_set_filetype(entry, 0o010000)
        }
        archive_entry_set_size(entry, Int64(size))
        precondition(archive_write_header(a, entry) == ARCHIVE_OK, String(cString: archive_error_string(a)))
        if size > 0 {
            let n = e.data.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
            precondition(n == size)
        }
    }
    precondition(archive_write_close(a) == ARCHIVE_OK)
    return box.takeUnretainedValue().bytes
}

private final class OutBox { var bytes: [UInt8] = [] }

/// Serves bytes in small chunks and runs `action` once, just before serving byte `after`:
/// a way to change the filesystem while an extraction is under way.
final class InjectingSource: ByteSource {
    private let bytes: [UInt8]
    private let chunk: Int
    private let after: Int
    private var action: (() -> Void)?
    private var offset = 0
    private(set) var fired = false

    init(_ bytes: [UInt8], chunk: Int = 1024, after: Int, action: @escaping () -> Void) {
        self.bytes = bytes
        self.chunk = chunk
        self.after = after
        self.action = action
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if offset >= after, let a = action {
            action = nil
            fired = true
            a()
        }
        let n = min(chunk, buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}

/// Runs `body`, which must throw an `ArchiveError`, and returns it.
func archiveError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ArchiveError? {
    do {
        try body()
        Issue.record("expected an ArchiveError, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let e as ArchiveError {
        return e
    } catch {
        Issue.record("expected an ArchiveError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Every entry of an archive: validated entries with their content.
func readAllEntries(_ source: any ByteSource) throws -> [(TarEntry, [UInt8])] {
    let reader = try TarReader(source: source)
    var out: [(TarEntry, [UInt8])] = []
    while let e = try reader.next() {
        var data: [UInt8] = []
        try reader.readData { data.append(contentsOf: $0) }
        out.append((e, data))
    }
    return out
}
