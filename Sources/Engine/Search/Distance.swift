/// A distance function, named as Qdrant names them.
public enum Distance: String, Codable, Sendable, CaseIterable {
    case cosine = "Cosine"
    case euclid = "Euclid"
    case dot = "Dot"
    case manhattan = "Manhattan"

    /// Whether a larger score is a better match (similarities) or a smaller one (distances).
    public var higherIsBetter: Bool { self == .cosine || self == .dot }

    /// Prepares a vector for storage: Cosine vectors are stored normalized, as Qdrant does.
    public func preprocess(_ v: [Float]) -> [Float] {
        guard self == .cosine else { return v }
        var norm: Float = 0
        for x in v { norm += x * x }
        norm = norm.squareRoot()
        guard norm > 0 else { return v }
        return v.map { $0 / norm }
    }

    /// The score of stored vector `b` for query `a`, both of length `dim`.
    @inline(__always)
    func score(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dim: Int) -> Float {
        switch self {
        case .cosine, .dot: return SIMDKernels.dot(a, b, dim)
        case .euclid: return SIMDKernels.squaredL2(a, b, dim).squareRoot()
        case .manhattan: return SIMDKernels.l1(a, b, dim)
        }
    }
}

/// Exact distance kernels over 16-wide SIMD lanes with a scalar tail.
enum SIMDKernels {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            acc.addProduct(x, y)
            i += 16
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    @inline(__always)
    static func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n {
            let d = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                - UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            acc.addProduct(d, d)
            i += 16
        }
        var s = acc.sum()
        while i < n { let d = a[i] - b[i]; s += d * d; i += 1 }
        return s
    }

    @inline(__always)
    static func l1(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n {
            let d = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                - UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            acc += d.replacing(with: -d, where: d .< 0)
            i += 16
        }
        var s = acc.sum()
        while i < n { s += abs(a[i] - b[i]); i += 1 }
        return s
    }
}
