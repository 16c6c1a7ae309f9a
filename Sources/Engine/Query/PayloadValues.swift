import Foundation

extension JSONValue {
    /// Equal as Qdrant's `match` compares values: integers with integers, strings with strings,
    /// bools with bools. A float payload value never equals a match operand (operands are
    /// keyword, integer or bool), and a bool is not the integer 1.
    func matchesValue(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int(let a), .uint(let b)), (.uint(let b), .int(let a)): return a >= 0 && UInt64(a) == b
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        default: return false
        }
    }
}

/// A payload geo point `{"lon": …, "lat": …}` with finite numbers.
public struct GeoPoint: Sendable, Equatable, Codable {
    var lon: Double
    var lat: Double

    public init(lon: Double, lat: Double) {
        self.lon = lon
        self.lat = lat
    }

    init?(_ v: JSONValue) {
        guard case .object(let o) = v else { return nil }
        func coord(_ k: String) -> Double? {
            switch o[k] {
            case .int(let i)?: return Double(i)
            case .uint(let u)?: return Double(u)
            case .double(let d)? where d.isFinite: return d
            default: return nil
            }
        }
        guard let lon = coord("lon"), let lat = coord("lat") else { return nil }
        self.lon = lon
        self.lat = lat
    }

    /// Haversine distance in meters (mean Earth radius 6371008.8 m, as Qdrant).
    func distance(to o: GeoPoint) -> Double {
        let r = Double.pi / 180
        let dlon = (o.lon - lon) * r, dlat = (o.lat - lat) * r
        let a = pow(sin(dlat / 2), 2) + cos(lat * r) * cos(o.lat * r) * pow(sin(dlon / 2), 2)
        return 6371008.8 * 2 * asin(a.squareRoot())
    }
}

/// `geo_radius`: strictly within `radius` meters of `center`.
public struct GeoRadius: Sendable, Equatable, Codable {
    var center: GeoPoint
    var radius: Double

    func contains(_ p: GeoPoint) -> Bool { p.distance(to: center) < radius }
}

/// `geo_bounding_box`: strictly inside; crosses the antimeridian when top_left.lon > bottom_right.lon.
public struct GeoBoundingBox: Sendable, Equatable, Codable {
    var top_left: GeoPoint
    var bottom_right: GeoPoint

    func contains(_ p: GeoPoint) -> Bool {
        let lonOK = top_left.lon > bottom_right.lon
            ? (p.lon > top_left.lon || p.lon < bottom_right.lon)
            : (top_left.lon < p.lon && p.lon < bottom_right.lon)
        return lonOK && top_left.lat > p.lat && p.lat > bottom_right.lat
    }
}

/// `geo_polygon`: inside the exterior ring (boundary included) and outside every interior ring.
public struct GeoPolygon: Sendable, Equatable, Codable {
    struct Ring: Sendable, Equatable, Codable { var points: [GeoPoint] }
    var exterior: Ring
    var interiors: [Ring]?

    func contains(_ p: GeoPoint) -> Bool {
        guard Self.inRing(p, exterior.points, ignoreBoundary: true) else { return false }
        return !(interiors ?? []).contains { Self.inRing(p, $0.points, ignoreBoundary: false) }
    }

    /// Ray casting over (lat, lon) pairs; a point on an edge counts as `!ignoreBoundary`.
    private static func inRing(_ pt: GeoPoint, _ ring: [GeoPoint], ignoreBoundary: Bool) -> Bool {
        var ring = ring
        if ring.count > 1, ring.first == ring.last { ring.removeLast() }
        guard !ring.isEmpty else { return false }
        let (px, py) = (pt.lat, pt.lon)
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let (xi, yi, xj, yj) = (ring[i].lat, ring[i].lon, ring[j].lat, ring[j].lon)
            let onBoundary = (py * (xi - xj) + yi * (xj - px) + yj * (px - xi) == 0)
                && ((xi - px) * (xj - px) <= 0) && ((yi - py) * (yj - py) <= 0)
            if onBoundary { return !ignoreBoundary }
            if (yi > py) != (yj > py), px < (xj - xi) * (py - yi) / (yj - yi) + xi { inside.toggle() }
            j = i
        }
        return inside
    }

    /// Qdrant's validation: each ring closed, at least 4 points.
    func validate() throws {
        for ring in [exterior] + (interiors ?? []) {
            guard ring.points.count >= 4, ring.points.first == ring.points.last else {
                throw StorageError(.badInput, "Wrong input: a geo_polygon ring needs at least 4 points and its first and last points must be equal")
            }
        }
    }
}

/// Qdrant's datetime payload values: RFC 3339 and the looser forms Qdrant accepts
/// (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.frac]]`, `T` or space, offset `Z`, `±HH[:MM]`, ` UTC`;
/// no offset means UTC), as microseconds since the Unix epoch.
public enum QdrantDatetime {
    public static func microseconds(_ text: String) -> Int64? {
        var s = Array(text.drop { $0 == " " || $0 == "\t" || $0 == "\n" }.utf8)
        if s.count >= 4, Array(s.suffix(4)) == Array(" UTC".utf8) { s.removeLast(4); s += Array("+00:00".utf8) }
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= s.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard s[k] >= 48, s[k] <= 57 else { return nil }
                v = v * 10 + Int(s[k] - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect(45), let mo = digits(2), expect(45), let d = digits(2) else { return nil }
        var h = 0, mi = 0, sec = 0, micros = 0, offset = 0
        if i < s.count {
            guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            guard let hh = digits(2), expect(58), let mm = digits(2) else { return nil }
            h = hh
            mi = mm
            if expect(58) {
                guard let ss = digits(2) else { return nil }
                sec = ss
                if expect(46) {
                    var n = 0, frac = 0
                    while i < s.count, s[i] >= 48, s[i] <= 57 {
                        if n < 6 { frac = frac * 10 + Int(s[i] - 48) }
                        n += 1
                        i += 1
                    }
                    guard n > 0 else { return nil }
                    for _ in min(n, 6)..<6 { frac *= 10 }
                    micros = frac
                }
                if i < s.count, s[i] == UInt8(ascii: " ") { i += 1 }
                if i < s.count {
                    if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
                        i += 1
                    } else if s[i] == 43 || s[i] == 45 {
                        let sign = s[i] == 45 ? -1 : 1
                        i += 1
                        guard let oh = digits(2) else { return nil }
                        var om = 0
                        if i < s.count {
                            _ = expect(58)
                            guard let m = digits(2) else { return nil }
                            om = m
                        }
                        guard oh < 24, om < 60 else { return nil }
                        offset = sign * (oh * 3600 + om * 60)
                    } else {
                        return nil
                    }
                }
            }
        }
        guard i == s.count, (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, sec < 60 else {
            return nil
        }
        let days = daysFromCivil(y, mo, d)
        let seconds = Int64(days) * 86400 + Int64(h * 3600 + mi * 60 + sec) - Int64(offset)
        return seconds * 1_000_000 + Int64(micros)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
