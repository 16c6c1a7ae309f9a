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

    @Test func cosineVectorsAreNormalized() {
        let v = Distance.cosine.preprocess([3, 4])
        #expect(v == [0.6, 0.8])
        #expect(Distance.dot.preprocess([3, 4]) == [3, 4])
    }
}
