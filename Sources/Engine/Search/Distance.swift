import CSIMD

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

/// Exact distance kernels. The float32 ones are C (`CSIMD`): AVX2 + FMA where the CPU has them,
/// chosen at load time as Qdrant chooses its kernels; Swift's `SIMD8<Float>` only reaches SSE
/// on the baseline x86-64 target (measured: ~2× slower graph walks than AVX2 + FMA).
enum SIMDKernels {
    typealias V = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        qdb_dot_f32(a, b, n)
    }

    @inline(__always)
    static func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        qdb_l2sq_f32(a, b, n)
    }

    @inline(__always)
    static func l1(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        qdb_l1_f32(a, b, n)
    }

    /// The kernel set in use ("avx2+fma" or "portable"), for logs and tests.
    static var active: String { String(cString: qdb_simd_kernels()) }
}
