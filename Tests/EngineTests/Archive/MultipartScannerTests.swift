import Foundation
import Testing
@testable import Engine

@Suite struct MultipartScannerTests {
    let body = Array("--B\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nskip\r\n--B\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"a.snapshot\"\r\n\r\nhello\r\nworld\r\n--B--\r\n".utf8)

    func run(_ body: [UInt8], step: Int, maxBytes: Int = 1 << 20) throws -> ([UInt8], String?) {
        var s = MultipartScanner(boundary: "B", field: "snapshot", maxBytes: maxBytes)
        var out: [UInt8] = []
        var at = 0
        while at < body.count {
            for piece in try s.feed(body[at..<min(body.count, at + step)]) { out += piece }
            at += step
        }
        return (out, try s.finish())
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func extractsTheFieldAtAnyChunking(step: Int) throws {
        let (data, name) = try run(body, step: step)
        #expect(String(decoding: data, as: UTF8.self) == "hello\r\nworld")
        #expect(name == "a.snapshot")
    }

    @Test func truncationAndMissingFieldAndSizeAreRefused() {
        #expect(throws: MultipartScanner.Failure.self) { _ = try run(Array(body.dropLast(12)), step: 5) }
        #expect(throws: MultipartScanner.Failure.self) { _ = try run(Array("--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--B--".utf8), step: 5) }
        do {
            _ = try run(body, step: 5, maxBytes: 4)
            Issue.record("over the cap")
        } catch let e as MultipartScanner.Failure {
            #expect(e.code == .tooLarge)
        } catch { Issue.record("\(error)") }
    }

    @Test func anEpilogueIsNotAccumulated() throws {
        var s = MultipartScanner(boundary: "B", field: "snapshot", maxBytes: 1 << 20)
        _ = try s.feed(body)
        let junk = [UInt8](repeating: 0x41, count: 1 << 20)
        for _ in 0..<64 { _ = try s.feed(junk) }  // 64 MiB after the closing boundary
        #expect(try s.finish() == "a.snapshot")
    }
}
