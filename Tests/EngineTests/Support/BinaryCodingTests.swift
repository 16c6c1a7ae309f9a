import Foundation
import Testing
@testable import Engine

@Suite struct BinaryCodingTests {
    @Test func payloadRoundTrips() throws {
        let payload: Payload = [
            "s": .string("Berlin ✓"), "i": .int(-42), "d": .double(1.5), "b": .bool(true), "n": .null,
            "a": .array([.int(1), .string("x"), .object(["k": .bool(false)])]),
            "o": .object(["nested": .object(["deep": .double(-0.25)])]),
        ]
        var w = ByteWriter()
        w.payload(payload)
        w.pointID(.uuid(UUID(uuidString: "5c56c793-69f3-4fbf-87e6-c4bf54c28c26")!))
        w.floats([1, -2.5, 3])
        let decoded = try w.bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            return (try r.payload(), try r.pointID(), try r.floats(), r.remaining)
        }
        #expect(decoded.0 == payload)
        #expect(decoded.1.description == "5c56c793-69f3-4fbf-87e6-c4bf54c28c26")
        #expect(decoded.2 == [1, -2.5, 3])
        #expect(decoded.3 == 0)
    }

    @Test func truncatedInputThrows() {
        var w = ByteWriter()
        w.payload(["key": .string("a long enough value")])
        for cut in 0..<w.bytes.count {
            let prefix = Array(w.bytes.prefix(cut))
            #expect(throws: ByteReader.Truncated.self) {
                try prefix.withUnsafeBytes { raw in
                    var r = ByteReader(raw)
                    _ = try r.payload()
                }
            }
        }
    }

    @Test func operationsRoundTrip() throws {
        let ops: [WriteOperation] = [
            .upsert([SlotPoint(id: .number(7), vectors: [[1, 2], nil], payload: ["a": .int(1)])]),
            .delete([.number(1), .number(2)]),
            .setPayload(ids: [.number(3)], payload: ["x": .bool(true)], key: "a.b"),
            .overwritePayload(ids: [.number(4)], payload: [:]),
            .deletePayload(ids: [.number(5)], keys: ["k", "l"]),
            .clearPayload(ids: [.number(6)]),
        ]
        for op in ops {
            let bytes = op.encode()
            #expect(try WriteOperation.decode(bytes).encode() == bytes)
        }
    }
}
