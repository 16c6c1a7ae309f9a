import CSIMD
import Testing
@testable import Engine

@Suite struct DistanceTests {
    @Test func kernelsMatchScalarForOddSizes() {
        for n in [1, 3, 15, 16, 17, 33, 128, 131] {
            let a = (0..<n).map { Float($0 % 7) - 3.25 }
            let b = (0..<n).map { Float(($0 * 5) % 11) / 4 - 1 }
            let dot = zip(a, b).map(*).reduce(0, +)
            let l2 = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            let l1 = zip(a, b).map { abs($0 - $1) }.reduce(0, +)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    #expect(abs(SIMDKernels.dot(pa.baseAddress!, pb.baseAddress!, n) - dot) < 1e-3)
                    #expect(abs(SIMDKernels.squaredL2(pa.baseAddress!, pb.baseAddress!, n) - l2) < 1e-3)
                    #expect(abs(SIMDKernels.l1(pa.baseAddress!, pb.baseAddress!, n) - l1) < 1e-3)
                }
            }
        }
    }

    /// Both kernel sets (the CPU's best and the portable fallback) against a double-precision
    /// reference, over the usual dimensions and the odd tails.
    @Test func bothKernelSetsMatchADoubleReference() {
        var rng = SystemRandomNumberGenerator()
        for n in [1, 7, 8, 9, 31, 32, 33, 100, 128, 384, 768, 1536] {
            let a = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
            let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let l2 = zip(a, b).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
            let l1 = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) }
            let tol = 1e-5 * Double(n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    let x = pa.baseAddress!, y = pb.baseAddress!
                    for (got, want) in [(SIMDKernels.dot(x, y, n), dot), (qdb_dot_f32_portable(x, y, n), dot),
                                        (SIMDKernels.squaredL2(x, y, n), l2), (qdb_l2sq_f32_portable(x, y, n), l2),
                                        (SIMDKernels.l1(x, y, n), l1), (qdb_l1_f32_portable(x, y, n), l1)] {
                        #expect(abs(Double(got) - want) < tol, "n \(n): \(got) vs \(want)")
                    }
                }
            }
        }
    }

    /// On a CPU with AVX2 and FMA (this project's machines) the fast kernels are the ones used.
    @Test func fastKernelsChosenWhenTheCPUHasThem() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let words = Set(flags.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
        let expected = words.contains("avx2") && words.contains("fma") ? "avx2+fma" : "portable"
        #expect(SIMDKernels.active == expected)
    }

    @Test func cosineVectorsAreNormalized() {
        let v = Distance.cosine.preprocess([3, 4])
        #expect(v == [0.6, 0.8])
        #expect(Distance.dot.preprocess([3, 4]) == [3, 4])
    }
}
