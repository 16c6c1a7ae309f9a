import Foundation
import Testing
@testable import Engine

@Suite struct JSONPathTests {
    let payload: Payload = [
        "a": .object(["b": .int(1), "c": .array([.int(2), .int(3)])]),
        "l": .array([.object(["x": .int(1)]), .object(["x": .int(2), "y": .null]), .int(5)]),
        "a.b": .int(4),
        "m": .array([.array([.int(1), .int(2)]), .array([.int(3)])]),
    ]

    func values(_ p: String, flat: Bool = true) throws -> [JSONValue] { try JSONPath(p).values(in: payload, flat: flat) }

    @Test func parsesQdrantPaths() throws {
        #expect(try JSONPath("a.b").items == [.key("a"), .key("b")])
        #expect(try JSONPath("l[].x").items == [.key("l"), .wildcard, .key("x")])
        #expect(try JSONPath("m[0][1]").items == [.key("m"), .index(0), .index(1)])
        #expect(try JSONPath("\"a.b\"").items == [.key("a.b")])
        #expect(try JSONPath("\"a.b\".c[]").items == [.key("a.b"), .key("c"), .wildcard])
        for bad in ["", ".a", "a.", "a..b", "a[x]", "a[", "a]", "a b", "[0]", "\"a"] {
            #expect(throws: StorageError.self, "\(bad)") { try JSONPath(bad) }
        }
    }

    @Test func selectsValuesAsQdrant() throws {
        #expect(try values("a.b") == [.int(1)])
        #expect(try values("\"a.b\"") == [.int(4)])
        #expect(try values("a.c") == [.int(2), .int(3)])
        #expect(try values("a.c", flat: false) == [.array([.int(2), .int(3)])])
        #expect(try values("a.c[1]") == [.int(3)])
        #expect(try values("l.x").isEmpty)  // a key does not reach into an array
        #expect(try values("l[].x") == [.int(1), .int(2)])
        #expect(try values("l[].y") == [.null])
        #expect(try values("m[0][1]") == [.int(2)])
        #expect(try values("m[]") == [.int(1), .int(2), .int(3)])
        #expect(try values("m[9]").isEmpty)
    }

    @Test func setsAtPaths() throws {
        let p: Payload = ["n": .array([.object(["a": .int(1)]), .int(2)]), "s": .int(1)]
        #expect(p.setting(["b": .int(9)], at: try JSONPath("n[0]")) == ["n": .array([.object(["a": .int(1), "b": .int(9)]), .int(2)]), "s": .int(1)])
        #expect(p.setting(["b": .int(9)], at: try JSONPath("n[]")) == ["n": .array([.object(["a": .int(1), "b": .int(9)]), .object(["b": .int(9)])]), "s": .int(1)])
        #expect(p.setting(["b": .int(9)], at: try JSONPath("n[5]")) == p)
        #expect(p.setting(["b": .int(9)], at: try JSONPath("s.t")) == ["n": p["n"]!, "s": .object(["t": .object(["b": .int(9)])])])
        #expect(p.setting(["b": .int(9)], at: try JSONPath("new.deep")) == ["n": p["n"]!, "s": .int(1), "new": .object(["deep": .object(["b": .int(9)])])])
        #expect(p.setting(["x": .int(1)], at: try JSONPath("s[0]")) == ["n": p["n"]!, "s": .array([])])
        #expect(p.mergingRemovingNulls(["s": .null, "t": .int(2)]) == ["n": p["n"]!, "t": .int(2)])
    }

    @Test func deletesAtPaths() throws {
        let p: Payload = ["n": .array([.object(["a": .int(1), "b": .int(2)]), .object(["a": .int(3)])]), "s": .int(1)]
        #expect(p.deleting(try JSONPath("n[].a")) == ["n": .array([.object(["b": .int(2)]), .object([:])]), "s": .int(1)])
        #expect(p.deleting(try JSONPath("n[0].b")) == ["n": .array([.object(["a": .int(1)]), .object(["a": .int(3)])]), "s": .int(1)])
        #expect(p.deleting(try JSONPath("n[]")) == ["n": .array([]), "s": .int(1)])
        #expect(p.deleting(try JSONPath("n[0]")) == p)  // an index at the end changes nothing, as Qdrant
        #expect(p.deleting(try JSONPath("s")) == ["n": p["n"]!])
    }

    @Test func payloadSelectors() throws {
        let p: Payload = ["a": .object(["b": .int(1), "c": .int(2)]), "l": .array([.object(["x": .int(1), "y": .int(2)])]), "z": .int(0)]
        func tree(_ keys: [String]) throws -> PayloadSelectorTree { PayloadSelectorTree(try keys.map { try JSONPath($0) }) }
        #expect(try tree(["a.b"]).include(p) == ["a": .object(["b": .int(1)])])
        #expect(try tree(["l[].y", "z"]).include(p) == ["l": .array([.object(["y": .int(2)])]), "z": .int(0)])
        #expect(try tree(["l[0]"]).include(p) == ["l": .array([])])
        #expect(try tree(["a", "a.b"]).include(p) == ["a": p["a"]!])
        #expect(try tree(["a.c", "l[].x"]).exclude(p) == ["a": .object(["b": .int(1)]), "l": .array([.object(["y": .int(2)])]), "z": .int(0)])
    }
}

@Suite struct QdrantDatetimeTests {
    @Test func parsesQdrantFormats() {
        let base = QdrantDatetime.microseconds("2024-03-10T12:00:00Z")!
        #expect(base == 1_710_072_000_000_000)
        #expect(QdrantDatetime.microseconds("2024-03-10 12:00:00") == base)
        #expect(QdrantDatetime.microseconds("2024-03-10T13:00:00+01:00") == base)
        #expect(QdrantDatetime.microseconds("2024-03-10T13:00:00+0100") == base)
        #expect(QdrantDatetime.microseconds("2024-03-10T07:00:00 -05") == base)
        #expect(QdrantDatetime.microseconds("2024-03-10T12:00:00.25z") == base + 250_000)
        #expect(QdrantDatetime.microseconds("2024-03-10T12:00:00.123456789") == base + 123_456)
        #expect(QdrantDatetime.microseconds("2024-03-10T12:00") == base)
        #expect(QdrantDatetime.microseconds("2024-03-10 12:00:00 UTC") == base)
        #expect(QdrantDatetime.microseconds("2024-03-10") == base - 12 * 3_600_000_000)
        #expect(QdrantDatetime.microseconds("1969-12-31T23:59:59Z") == -1_000_000)
        for bad in ["2024-13-01", "2024-02-30", "2024-03-10T25:00", "2024-03-10T12", "2024-3-10", "yesterday", "2024-03-10T12:00:00+25:00"] {
            #expect(QdrantDatetime.microseconds(bad) == nil, "\(bad)")
        }
    }
}
