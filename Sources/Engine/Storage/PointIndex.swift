import Foundation

/// A shard's id → location index, as a dictionary would be, but kept as two: numeric ids (the
/// common case) in a table of 8-byte keys, UUIDs in one of 16-byte keys. Against one table
/// keyed by `PointID` (a 17-byte enum, 24-byte stride) a million numeric ids take half the
/// memory and are inserted faster, which is most of loading or recovering a shard.
struct PointIndex: Sequence {
    typealias Location = Shard.Location

    private var numbers: [UInt64: Location] = [:]
    private var uuids: [UUID: Location] = [:]

    var count: Int { numbers.count + uuids.count }

    subscript(id: PointID) -> Location? {
        get {
            switch id {
            case .number(let n): return numbers[n]
            case .uuid(let u): return uuids[u]
            }
        }
        set {
            switch id {
            case .number(let n): numbers[n] = newValue
            case .uuid(let u): uuids[u] = newValue
            }
        }
    }

    /// Sets `id`'s location and returns the one it replaces (one hash lookup).
    @discardableResult
    mutating func updateValue(_ loc: Location, forKey id: PointID) -> Location? {
        switch id {
        case .number(let n): return numbers.updateValue(loc, forKey: n)
        case .uuid(let u): return uuids.updateValue(loc, forKey: u)
        }
    }

    @discardableResult
    mutating func removeValue(forKey id: PointID) -> Location? {
        switch id {
        case .number(let n): return numbers.removeValue(forKey: n)
        case .uuid(let u): return uuids.removeValue(forKey: u)
        }
    }

    mutating func removeAll(keepingCapacity keep: Bool) {
        numbers.removeAll(keepingCapacity: keep)
        uuids.removeAll(keepingCapacity: keep)
    }

    /// Room for `n` numeric ids and `u` UUIDs.
    mutating func reserveCapacity(numbers n: Int, uuids u: Int) {
        numbers.reserveCapacity(n)
        uuids.reserveCapacity(u)
    }

    /// Every (id, location), numeric ids first; the order is otherwise unspecified.
    func makeIterator() -> AnyIterator<(PointID, Location)> {
        var n = numbers.makeIterator()
        var u = uuids.makeIterator()
        return AnyIterator {
            if let (k, v) = n.next() { return (.number(k), v) }
            if let (k, v) = u.next() { return (.uuid(k), v) }
            return nil
        }
    }
}
