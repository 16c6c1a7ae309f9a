import Foundation
import Testing
@testable import Engine

@Suite struct SHA256Tests {
    static let emptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let abcDigest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    @Test func knownVectors() {
        #expect(SHA256Hasher().finalizeHex() == Self.emptyDigest)
        #expect(SHA256Hasher.hexDigest(of: Array("abc".utf8)) == Self.abcDigest)
        // The same bytes fed in pieces, through both update overloads.
        let h = SHA256Hasher()
        h.update([UInt8(ascii: "a")])
        Array("bc".utf8).withUnsafeBytes { h.update($0) }
        #expect(h.finalizeHex() == Self.abcDigest)
        #expect(h.finalizeHex() == Self.abcDigest, "finalize is idempotent")
        #expect(h.finalize().count == 32)
    }

    @Test func fileDigestMatchesOpenSSL() throws {
        let dir = TempDir()
        let path = dir.path + "/blob"
        // Over two 1 MiB read chunks, and not a multiple of the chunk size.
        writeFile(path, pseudoRandomBytes(2 * 1024 * 1024 + 12345))
        let ours = try SHA256Hasher.hexDigest(ofFile: path)
        let (status, out) = try runTool(["openssl", "dgst", "-sha256", "-r", path])
        #expect(status == 0)
        let theirs = String(out.split(separator: " ").first ?? "")
        #expect(ours == theirs)
        #expect(SHA256Hasher.isValidChecksum(ours))
        #expect(ours == ours.lowercased())

        writeFile(dir.path + "/empty", [])
        #expect(try SHA256Hasher.hexDigest(ofFile: dir.path + "/empty") == Self.emptyDigest)
    }

    @Test func fileDigestOfMissingFileIsNotFound() {
        let e = archiveError { _ = try SHA256Hasher.hexDigest(ofFile: "/nonexistent/qdb-\(UUID())") }
        #expect(e?.code == .notFound)
    }

    @Test func checksumsMatchIgnoresCaseAndSurroundingWhitespace() {
        let d = Self.abcDigest
        #expect(SHA256Hasher.checksumsMatch(d, d))
        #expect(SHA256Hasher.checksumsMatch(d.uppercased(), d))
        #expect(SHA256Hasher.checksumsMatch("  \(d)\n", d))
        #expect(SHA256Hasher.checksumsMatch(d, "\t\(d.uppercased()) \r\n"))
        #expect(!SHA256Hasher.checksumsMatch(d, Self.emptyDigest))
        #expect(!SHA256Hasher.checksumsMatch(d, String(d.dropLast())), "a prefix is not a match")
        #expect(!SHA256Hasher.checksumsMatch("", ""), "two empty checksums do not match")
        #expect(!SHA256Hasher.checksumsMatch("xyz", "xyz"), "two equal non-checksums do not match")
        #expect(!SHA256Hasher.checksumsMatch(d.prefix(32) + " " + d.dropFirst(32), d), "inner whitespace counts")
    }

    @Test func validChecksumIsExactly64HexCharacters() {
        #expect(SHA256Hasher.isValidChecksum(Self.abcDigest))
        #expect(SHA256Hasher.isValidChecksum(Self.abcDigest.uppercased()))
        #expect(!SHA256Hasher.isValidChecksum(String(Self.abcDigest.dropLast())))
        #expect(!SHA256Hasher.isValidChecksum(Self.abcDigest + "0"))
        #expect(!SHA256Hasher.isValidChecksum(Self.abcDigest + "\n"))
        #expect(!SHA256Hasher.isValidChecksum(String(Self.abcDigest.dropLast()) + "g"))
        #expect(!SHA256Hasher.isValidChecksum(""))
    }

    @Test func hashingSinkAndSourceDigestTheBytesThatPass() throws {
        let bytes = pseudoRandomBytes(300_001)
        var received: [UInt8] = []
        let sink = HashingSink(CallbackSink(write: { received.append(contentsOf: $0) }))
        try sink.write(Array(bytes[..<1000]))
        try sink.write(Array(bytes[1000...]))
        try sink.close()
        #expect(received == bytes)
        #expect(sink.byteCount == bytes.count)
        #expect(sink.finalizeHex() == SHA256Hasher.hexDigest(of: bytes))

        let source = HashingSource(BufferSource(bytes))
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buf.deallocate() }
        _ = try source.read(into: buf)
        try source.drain()
        #expect(source.byteCount == bytes.count)
        #expect(source.finalizeHex() == SHA256Hasher.hexDigest(of: bytes))
    }
}
