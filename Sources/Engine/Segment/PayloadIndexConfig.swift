import Foundation

/// `payload_index/config.json` of a Qdrant segment: `PayloadConfig`
/// (`lib/segment/src/index/payload_config.rs`):
///
///     {"indexed_fields": {"<field>": "keyword" | {"type": "keyword", …}},
///      "indexed_types"?: {"<field>": [{"index_type", "mutability", "storage_type"}]}}
///
/// qdb writes only `indexed_fields`: Qdrant then rebuilds every listed field index from the
/// payloads at load (`StructPayloadIndex::load_from_db`) and qdb never needs Qdrant's
/// field-index files. `indexed_types` and the index directories of Qdrant-made segments are
/// read past.
public struct PayloadIndexConfig: Codable, Sendable, Equatable {
    /// Field → schema as written (a type name or a parameterised object).
    public var indexed_fields: [String: JSONValue]

    public static let path = "payload_index/config.json"

    public init(indexedFields: [String: JSONValue] = [:]) {
        indexed_fields = indexedFields
    }

    enum CodingKeys: String, CodingKey { case indexed_fields }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        indexed_fields = try c.decodeIfPresent([String: JSONValue].self, forKey: .indexed_fields) ?? [:]
    }

    public static func read(validating bytes: [UInt8]) throws -> PayloadIndexConfig {
        do {
            let config = try JSONDecoder().decode(PayloadIndexConfig.self, from: Data(bytes))
            for (field, schema) in config.indexed_fields {
                switch schema {
                case .string: continue
                case .object(let o) where o["type"].map({ if case .string = $0 { true } else { false } }) == true: continue
                default:
                    throw SegmentFormatError(.corrupt, path, "field \"\(field)\" has no schema type")
                }
            }
            return config
        } catch let e as SegmentFormatError {
            throw e
        } catch {
            throw SegmentFormatError(.corrupt, path, "is not a PayloadConfig (\(SegmentState.describe(error)))")
        }
    }

    public func write() throws -> [UInt8] { try .json(self) }

    /// The schema type name of each field (`keyword`, `integer`, …).
    public var fieldTypes: [String: String] {
        indexed_fields.compactMapValues { schema in
            switch schema {
            case .string(let s): return s
            case .object(let o): if case .string(let s)? = o["type"] { return s } else { return nil }
            default: return nil
            }
        }
    }
}

/// Payloads as the compact JSON Qdrant stores in gridstore (`serde_json::to_vec` of the object).
enum PayloadJSON {
    static func encode(_ p: Payload) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        object(p, into: &out)
        return out
    }

    static func decode(_ bytes: [UInt8], slot: Int) throws -> Payload {
        guard case .object(let o) = try? JSONParser.parse(bytes) else {
            throw SegmentFormatError(.corrupt, Gridstore.directory, "the value of point \(slot) is not a JSON object")
        }
        return o
    }

    private static func object(_ o: [String: JSONValue], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (k, v) in o.sorted(by: { $0.key < $1.key }) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            string(k, into: &out)
            out.append(UInt8(ascii: ":"))
            value(v, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func value(_ v: JSONValue, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .uint(let u): out.append(contentsOf: String(u).utf8)
        case .double(let d):
            if d.isFinite {
                // Swift's shortest round-trip form; an integral double keeps its ".0" so it
                // reads back as a float, as serde_json writes it.
                var s = "\(d)"
                if !s.contains(".") && !s.contains("e") && !s.contains("E") { s += ".0" }
                out.append(contentsOf: s.utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let s): string(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, x) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                value(x, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o): object(o, into: &out)
        }
    }

    private static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
