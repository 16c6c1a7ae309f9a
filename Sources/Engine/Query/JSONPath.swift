/// A payload key path as Qdrant parses it (`lib/segment/src/json_path/`): keys separated by `.`,
/// each optionally followed by `[]` (every element of an array) or `[n]` (one element); a key in
/// double quotes may contain dots (`"a.b".c`). `a.b` does not reach into an array at `a`:
/// that takes `a[].b`, as in Qdrant.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Item: Sendable, Hashable {
        case key(String)
        case index(Int)
        case wildcard
    }

    public let items: [Item]
    public let description: String

    /// Parses `text`. Throws `StorageError(.badInput)` naming the path when it is not one.
    public init(_ text: String) throws {
        var items: [Item] = []
        var rest = Substring(text)
        func bad() -> StorageError { StorageError(.badInput, "Wrong input: `\(text)` is not a valid payload key path") }
        while true {
            if rest.first == "\"" {
                let body = rest.dropFirst()
                guard let close = body.firstIndex(of: "\"") else { throw bad() }
                items.append(.key(String(body[..<close])))
                rest = body[body.index(after: close)...]
            } else {
                let end = rest.firstIndex { c in !(c.isLetter || c.isNumber || c == "_" || c == "-") } ?? rest.endIndex
                guard end > rest.startIndex else { throw bad() }
                items.append(.key(String(rest[..<end])))
                rest = rest[end...]
            }
            while rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else { throw bad() }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if inner.isEmpty {
                    items.append(.wildcard)
                } else {
                    guard inner.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(inner) else { throw bad() }
                    items.append(.index(n))
                }
                rest = rest[rest.index(after: close)...]
            }
            if rest.isEmpty { break }
            guard rest.first == ".", rest.count > 1 else { throw bad() }
            rest = rest.dropFirst()
        }
        self.items = items
        self.description = text
    }

    /// `text` parsed, or when it is not a valid path, `text` as one verbatim key.
    public init(lenient text: String) {
        if let p = try? JSONPath(text) {
            self = p
        } else {
            items = [.key(text)]
            description = text
        }
    }

    /// The single top-level key when the path is just one plain key (the common case).
    public var plainKey: String? {
        if items.count == 1, case .key(let k) = items[0] { return k }
        return nil
    }

    /// Every value the path selects. With `flat`, a selected array contributes its elements
    /// (one level), as Qdrant's filters read values; without, arrays stay whole. Empty when the
    /// path selects nothing.
    public func values(in payload: Payload, flat: Bool = true) -> [JSONValue] {
        var out: [JSONValue] = []
        func walk(_ v: JSONValue, _ i: Int) {
            if i == items.count {
                if flat, case .array(let a) = v { out.append(contentsOf: a) } else { out.append(v) }
                return
            }
            switch (items[i], v) {
            case (.key(let k), .object(let o)): if let x = o[k] { walk(x, i + 1) }
            case (.index(let n), .array(let a)): if n < a.count { walk(a[n], i + 1) }
            case (.wildcard, .array(let a)): for e in a { walk(e, i + 1) }
            default: break
            }
        }
        walk(.object(payload), 0)
        return out
    }
}

// MARK: - payload edits by path (Qdrant's set_payload `key` and delete_payload)

extension Payload {
    /// Qdrant's `merge_map`: keys of `other` replace this payload's; a null removes the key.
    func mergingRemovingNulls(_ other: Payload) -> Payload {
        var out = self
        for (k, v) in other {
            if v == .null { out[k] = nil } else { out[k] = v }
        }
        return out
    }

    /// `set_payload` with a `key`: merges `value` into the object(s) the path names, creating
    /// objects where keys are missing, replacing a value of the wrong kind, as Qdrant does.
    func setting(_ value: Payload, at path: JSONPath) -> Payload {
        guard case .object(let o) = JSONValue.object(self).setting(value, path.items[...]) else { return self }
        return o
    }

    /// `delete_payload` of one path: a trailing key is removed, a trailing `[]` empties the
    /// array, a trailing `[n]` changes nothing (Qdrant's semantics).
    func deleting(_ path: JSONPath) -> Payload {
        guard case .object(let o) = JSONValue.object(self).deleting(path.items[...]) else { return self }
        return o
    }
}

extension JSONValue {
    fileprivate func setting(_ value: Payload, _ path: ArraySlice<JSONPath.Item>) -> JSONValue {
        guard let head = path.first else { return self }
        let rest = path.dropFirst()
        func leaf(_ v: JSONValue?) -> JSONValue {
            .object((v?.objectValue ?? [:]).mergingRemovingNulls(value))
        }
        switch (head, self) {
        case (.key(let k), .object(var o)):
            let child = o[k] ?? .object([:])
            o[k] = rest.isEmpty ? leaf(child) : child.setting(value, rest)
            return .object(o)
        case (.key(let k), _):
            return .object([k: rest.isEmpty ? leaf(nil) : JSONValue.object([:]).setting(value, rest)])
        case (.index(let n), .array(var a)):
            guard n < a.count else { return self }
            a[n] = rest.isEmpty ? leaf(a[n]) : a[n].setting(value, rest)
            return .array(a)
        case (.wildcard, .array(let a)):
            return .array(a.map { rest.isEmpty ? leaf($0) : $0.setting(value, rest) })
        case (.index, _), (.wildcard, _):
            return .array([])
        }
    }

    fileprivate func deleting(_ path: ArraySlice<JSONPath.Item>) -> JSONValue {
        guard let head = path.first else { return self }
        let rest = path.dropFirst()
        switch (head, self) {
        case (.key(let k), .object(var o)):
            if rest.isEmpty { o[k] = nil } else if let c = o[k] { o[k] = c.deleting(rest) }
            return .object(o)
        case (.index(let n), .array(var a)):
            if !rest.isEmpty, n < a.count { a[n] = a[n].deleting(rest) }
            return .array(a)
        case (.wildcard, .array(let a)):
            return rest.isEmpty ? .array([]) : .array(a.map { $0.deleting(rest) })
        default:
            return self
        }
    }
}

// MARK: - payload selectors (`with_payload` include / exclude)

/// The keys of a `with_payload` include or exclude list merged into a prefix tree, as Qdrant's
/// `PayloadSelector` applies them: `a.b`, `c[]`, `d[0]`.
struct PayloadSelectorTree: Sendable {
    indirect enum Node: Sendable {
        case all
        case children([JSONPath.Item: Node])
    }

    let root: [JSONPath.Item: Node]

    init(_ paths: [JSONPath]) {
        var root: [JSONPath.Item: Node] = [:]
        for p in paths {
            PayloadSelectorTree.insert(p.items[...], into: &root)
        }
        self.root = root
    }

    private static func insert(_ items: ArraySlice<JSONPath.Item>, into node: inout [JSONPath.Item: Node]) {
        guard let head = items.first else { return }
        let rest = items.dropFirst()
        if rest.isEmpty {
            node[head] = .all
            return
        }
        switch node[head] {
        case .all?: return
        case .children(var c)?:
            insert(rest, into: &c)
            node[head] = .children(c)
        case nil:
            var c: [JSONPath.Item: Node] = [:]
            insert(rest, into: &c)
            node[head] = .children(c)
        }
    }

    func include(_ p: Payload) -> Payload {
        guard case .object(let o) = Self.include(.object(p), root) else { return [:] }
        return o
    }

    func exclude(_ p: Payload) -> Payload {
        guard case .object(let o) = Self.exclude(.object(p), root) else { return p }
        return o
    }

    private static func include(_ v: JSONValue, _ tree: [JSONPath.Item: Node]) -> JSONValue {
        switch v {
        case .object(let o):
            var out: Payload = [:]
            for (k, x) in o {
                switch tree[.key(k)] {
                case nil: continue
                case .all?: out[k] = x
                case .children(let c)?: out[k] = include(x, c)
                }
            }
            return .object(out)
        case .array(let a):
            switch tree[.wildcard] {
            case nil: return .array([])
            case .all?: return v
            case .children(let c)?: return .array(a.map { include($0, c) })
            }
        default:
            return v
        }
    }

    private static func exclude(_ v: JSONValue, _ tree: [JSONPath.Item: Node]) -> JSONValue {
        switch v {
        case .object(let o):
            var out: Payload = [:]
            for (k, x) in o {
                switch tree[.key(k)] {
                case nil: out[k] = x
                case .all?: continue
                case .children(let c)?: out[k] = exclude(x, c)
                }
            }
            return .object(out)
        case .array(let a):
            switch tree[.wildcard] {
            case nil: return v
            case .all?: return .array([])
            case .children(let c)?: return .array(a.map { exclude($0, c) })
            }
        default:
            return v
        }
    }
}
