import Foundation
import Testing
@testable import Engine

@Suite struct BoundsTests {
    @Test func arithmeticNeverOverflows() {
        #expect(Bounds.product(1 << 40, 1 << 40) == nil)
        #expect(Bounds.product(-1, 4) == nil)
        #expect(Bounds.product(3, 4) == 12)
        #expect(Bounds.sum(.max, 1) == nil)
        #expect(Bounds.sum(2, 3) == 5)
    }

    @Test func countsMustBeBackedByBytes() throws {
        #expect(try Bounds.count(10, minimumRecordSize: 9, available: 90, what: "ids") == 10)
        #expect(throws: BoundsError.self) { try Bounds.count(11, minimumRecordSize: 9, available: 90, what: "ids") }
        #expect(throws: BoundsError.self) { try Bounds.count(-1, minimumRecordSize: 1, available: 90, what: "ids") }
        #expect(throws: BoundsError.self) { try Bounds.count(UInt64.max, minimumRecordSize: 1, available: .max, what: "ids") }
        #expect(throws: BoundsError.self) { try Bounds.count(1_000_000_000_000, minimumRecordSize: 24, available: 1 << 20, what: "points") }
        #expect(throws: BoundsError.self) { try Bounds.count(5, minimumRecordSize: 1, available: 100, cap: 4, what: "entries") }
    }

    @Test func rangesStayInside() throws {
        #expect(try Bounds.range(offset: 10, length: 5, available: 15, what: "x") == 10..<15)
        #expect(throws: BoundsError.self) { try Bounds.range(offset: 10, length: 6, available: 15, what: "x") }
        #expect(throws: BoundsError.self) { try Bounds.range(offset: Int64.max, length: 1, available: 15, what: "x") }
        #expect(throws: BoundsError.self) { try Bounds.range(offset: -1, length: 1, available: 15, what: "x") }
    }

    @Test func errorsNameWhatTheyAreAbout() {
        do {
            try Bounds.exactSize(3, expected: 8, what: "versions.bin")
            Issue.record("expected a throw")
        } catch {
            #expect("\(error)" == "versions.bin holds 3 bytes, expected 8")
        }
    }

    @Test func freeBytesIsKnownForAnExistingDirectory() {
        #expect((Bounds.freeBytes(at: NSTemporaryDirectory()) ?? -1) > 0)
        #expect(Bounds.freeBytes(at: "/nonexistent/qdb") == nil)
    }
}
