import Engine
import Foundation
import Testing
@testable import Commands

/// `JSONParser.parseUpsert` (the one-pass reader of upsert bodies) against the general path
/// (`JSONParser.parse` then `UpsertJSON.points`): every body it reads gives exactly the general
/// path's points, and every body of another shape or with an error is left to the general path,
/// which gives Qdrant's 400 as before.
@Suite struct UpsertBodyParserTests {
    func fast(_ s: String) -> UpsertBody? {
        Array(s.utf8).withUnsafeBytes { JSONParser.parseUpsert($0) }
    }

    func general(_ s: String) throws -> [PointInput] {
        try UpsertJSON.points(from: try JSONParser.parse(Array(s.utf8)))
    }

    func expectSame(_ s: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let got = try #require(fast(s), "left to the general path: \(s)", sourceLocation: sourceLocation)
        let want = try general(s)
        #expect(got.points.count == want.count, sourceLocation: sourceLocation)
        for (a, b) in zip(got.points, want) {
            #expect(a.id == b.id && a.vectors == b.vectors && a.payload == b.payload, "\(a.id) in \(s)", sourceLocation: sourceLocation)
            #expect(a.sparse.isEmpty && b.sparse.isEmpty && a.multi.isEmpty && b.multi.isEmpty, sourceLocation: sourceLocation)
        }
    }

    @Test func readsTheDenseShapesAsTheGeneralPath() throws {
        let uuid = "6f1c3e1a-0000-4000-8000-000000000002"
        for body in [
            #"{"points":[{"id":1,"vector":[0.5,-1,2e3,1.0E-2]},{"id":"\#(uuid)","vector":[0,0,0,0],"payload":{"a":[1,{"b":null}]}}]}"#,
            #" { "points" : [ { "vectors" : { "x" : [ 1 , 2 ] , "y" : [ ] } , "id" : 18446744073709551615 , "payload" : null } ] } "#,
            #"{"points":[{"id":3,"vector":null},{"id":4}],"update_mode":"insert_only","shard_key":null}"#,
            #"{"points":[]}"#,
            #"{"batch":{"ids":[1,2],"vectors":[[1.5,2],[3,4]],"payloads":[{"k":"v"},null]}}"#,
            #"{"batch":{"payloads":null,"vectors":{"a":[[1],[2]],"b":[[3,4],[5,6]]},"ids":[9,"\#(uuid)"]},"update_filter":{"must":[]}}"#,
            #"{"batch":{"ids":[],"vectors":[]}}"#,
            // Numbers as the general parser converts them: huge integers, -0, out-of-range doubles.
            #"{"points":[{"id":0,"vector":[9223372036854775807,18446744073709551615,18446744073709551616,-0,-0.0,1e39,-1e-50,0.1]}]}"#,
            #"{"points":[{"id":1,"vector":[1.00000001,3.4028235e38,16777217,-9223372036854775808]}]}"#,
        ] {
            try expectSame(body)
        }
    }

    @Test func keepsTheOtherFieldsForUpdateOptions() throws {
        let body = try #require(fast(#"{"update_mode":"update_only","points":[{"id":1,"vector":[1]}],"update_filter":{"must":[{"key":"a","match":{"value":1}}]}}"#))
        let (mode, filter) = try UpsertJSON.updateOptions(.object(body.options))
        #expect(mode == .updateOnly)
        #expect(filter != nil)
        #expect(Set(body.options.keys) == ["update_mode", "update_filter"])
    }

    @Test func leavesEveryOtherBodyToTheGeneralPath() {
        for body in [
            "", "  ", "[]", "null", #"{}"#, #"{"points":null}"#, #"{"points":{}}"#,
            #"{"points":[{"id":1,"vector":[1]}]} x"#, #"{"points":[{"id":1,"vector":[1]}]"#, #"{"points":[{"id":1,"vector":[1,]}]}"#,
            #"{"points":[{"id":1,"vector":[1 2]}]}"#, #"{"points":[{"id":1,"vector":[1],}]}"#, #"{"points":[,]}"#,
            #"{"points":[{"id":-1,"vector":[1]}]}"#, #"{"points":[{"id":1.5,"vector":[1]}]}"#, #"{"points":[{"id":"12","vector":[1]}]}"#,
            #"{"points":[{"vector":[1]}]}"#, #"{"points":[{"id":1,"id":2,"vector":[1]}]}"#,
            #"{"points":[{"id":1,"vector":[1],"vectors":[2]}]}"#, #"{"points":[{"id":1,"vector":[1],"extra":null}]}"#,
            #"{"points":[{"id":1,"vector":[[1,2],[3,4]]}]}"#, #"{"points":[{"id":1,"vector":{"s":{"indices":[1],"values":[1]}}}]}"#,
            #"{"points":[{"id":1,"vector":{"a":[1],"a":[2]}}]}"#, #"{"points":[{"id":1,"vector":["1"]}]}"#,
            #"{"points":[{"id":1,"vector":[1],"payload":[1]}]}"#, #"{"points":[{"id":1,"vector":[1],"payload":{"a":}}]}"#,
            #"{"points":[{"id":1,"vector":[1]}],"shard_key":"k"}"#, #"{"points":[],"batch":{"ids":[],"vectors":[]}}"#,
            #"{"points":[],"wait":true}"#, #"{"points":[],"update_mode":1,"update_mode":2}"#,
            #"{"batch":{"ids":[1,2],"vectors":[[1]]}}"#, #"{"batch":{"ids":[1],"vectors":[[1]],"payloads":[]}}"#,
            #"{"batch":{"ids":[1],"vectors":[[[1]]]}}"#, #"{"batch":{"ids":[1]}}"#, #"{"batch":{"vectors":[[1]]}}"#,
            #"{"batch":{"ids":[1],"vectors":[[1]],"extra":1}}"#, #"{"batch":{"ids":[1],"vectors":{"a":[[1]],"b":[]}}}"#,
            #"{"batch":{"ids":[1],"vectors":null}}"#, #"{"batch":[]}"#,
            #"{"points":[{"id":1,"vector":[1e]}]}"#, #"{"points":[{"id":1,"vector":[01]}]}"#, #"{"points":[{"id":1,"vector":[.5]}]}"#,
            #"{"points":[{"id":1,"vector":[1],"payload":{"a":"\u00"}}]}"#, "{\"points\":[{\"id\":\"\u{1}\"}]}",
        ] {
            #expect(fast(body) == nil, "\(body)")
        }
    }

    /// Seeded random bodies of both forms, with numbers of every spelling, against the general path.
    @Test func randomBodiesMatchTheGeneralPath() throws {
        var rng = SystemRandomNumberGenerator()
        var seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        func next() -> UInt64 {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func number() -> String {
            switch next() % 6 {
            case 0: return String(Int64(bitPattern: next()))
            case 1: return String(next())
            case 2: return String(Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF) * (next() % 2 == 0 ? 1 : -1))
            case 3: return String(format: "%.6f", Double(Int64(bitPattern: next()) % 1_000_000) / 1000)
            case 4: return "\(next() % 10)e\(Int(next() % 80) - 40)"
            default: return String(Float(bitPattern: UInt32(truncatingIfNeeded: next()) & 0x7F7F_FFFF))
            }
        }
        func space() -> String { ["", " ", "\n", "\t ", "\r\n"][Int(next() % 5)] }
        func vector(_ dim: Int) -> String { "[" + (0..<dim).map { _ in space() + number() + space() }.joined(separator: ",") + "]" }
        for _ in 0..<200 {
            let n = Int(next() % 6), dim = Int(next() % 5)
            let body: String
            if next() % 2 == 0 {
                let points = (0..<n).map { k in
                    "{\(space())\"id\":\(k),\"vector\"\(space()):\(space())\(vector(dim)),\"payload\":{\"n\":\(number())}}"
                }
                body = "{\"points\":[" + points.joined(separator: "," + space()) + "]}"
            } else {
                let vectors = (0..<n).map { _ in vector(dim) }.joined(separator: ",")
                body = "{\"batch\":{\"ids\":[" + (0..<n).map { String($0 * 7) }.joined(separator: ",") + "],\"vectors\":[\(vectors)]}}"
            }
            try expectSame(body)
        }
    }
}
