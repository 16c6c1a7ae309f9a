/// The element type a dense vector is stored with (Qdrant's `Datatype` /
/// `VectorStorageDatatype`): `float32` (the default), `float16` or `uint8`.
///
/// qdb holds every vector in memory as `Float`, but only values the datatype can hold: a vector
/// is converted when it comes in (`VectorParams.prepare`) exactly as Qdrant converts it
/// (`PrimitiveVectorElement::slice_from_float_cow`), so scores computed in f32 over the converted
/// values are Qdrant's, and the segment files carry the elements in their own size.
public enum VectorDatatype: String, Codable, Sendable, CaseIterable {
    case float32
    case float16
    case uint8

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        guard let v = VectorDatatype(rawValue: raw) else {
            // Qdrant's (serde's) wording.
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown variant `\(raw)`, expected one of `float32`, `uint8`, `float16`")
        }
        self = v
    }

    /// Bytes per element in `matrix.dat` and chunk files.
    public var elementSize: Int {
        switch self {
        case .float32: return 4
        case .float16: return 2
        case .uint8: return 1
        }
    }

    /// The value Qdrant stores for `x`: f16 rounds to nearest even (the `half` crate's
    /// `f16::from_f32`; beyond ±65504 it is ±inf); u8 is Rust's `x as u8` (truncates toward
    /// zero, saturates at 0 and 255, NaN is 0).
    @inline(__always)
    public func convert(_ x: Float) -> Float {
        switch self {
        case .float32: return x
        case .float16: return Float(Float16(x))
        case .uint8:
            let t = x.rounded(.towardZero)
            return t > 0 ? Swift.min(t, 255) : 0
        }
    }

    /// The elements of `floats` (values this datatype holds) as the little-endian bytes a
    /// segment file stores.
    func encode(_ floats: UnsafeBufferPointer<Float>) -> [UInt8] {
        switch self {
        case .float32:
            return Array(UnsafeRawBufferPointer(floats))
        case .float16:
            var out = [UInt8](repeating: 0, count: floats.count * 2)
            for (i, x) in floats.enumerated() {
                let bits = Float16(x).bitPattern
                out[2 * i] = UInt8(truncatingIfNeeded: bits)
                out[2 * i + 1] = UInt8(truncatingIfNeeded: bits >> 8)
            }
            return out
        case .uint8:
            return floats.map { UInt8(Swift.max(0, Swift.min(255, $0))) }
        }
    }

    /// The floats of `count` elements at the start of `bytes` (which must hold them).
    func decode(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        precondition(bytes.count >= count * elementSize)
        switch self {
        case .float32:
            return [Float](unsafeUninitializedCapacity: count) { buf, n in
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<(count * 4)]))
                n = count
            }
        case .float16:
            return (0..<count).map { i in
                Float(Float16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8))
            }
        case .uint8:
            return (0..<count).map { Float(bytes[$0]) }
        }
    }
}

extension VectorParams {
    /// The datatype vectors are stored with (`float32` when the config names none).
    public var storedDatatype: VectorDatatype { datatype ?? .float32 }

    /// A vector (of this size, checked by the caller) as it is stored and as a query is scored:
    /// Cosine vectors normalized as Qdrant does for f32 and f16 (uint8 vectors are never
    /// normalized: Qdrant's uint8 Cosine computes the full cosine), then converted to the datatype.
    public func prepare(_ v: [Float]) -> [Float] {
        let dt = storedDatatype
        let pre = dt == .uint8 ? v : distance.preprocess(v)
        return dt == .float32 ? pre : pre.map(dt.convert)
    }

    /// Whether Cosine scores are computed over unnormalized vectors (uint8 storage).
    var rawCosine: Bool { distance == .cosine && storedDatatype == .uint8 }
}

extension SIMDKernels {
    /// Qdrant's Cosine over unnormalized vectors (`cosine_similarity_bytes`):
    /// dot / sqrt(|a|² |b|²), and 0 when either vector is zero.
    @inline(__always)
    static func cosine(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var d = V(), na = V(), nb = V()
        var i = 0
        while i + 8 <= n {
            let x = load(a + i), y = load(b + i)
            d += x * y
            na += x * x
            nb += y * y
            i += 8
        }
        var sd = d.sum(), sa = na.sum(), sb = nb.sum()
        while i < n {
            sd += a[i] * b[i]
            sa += a[i] * a[i]
            sb += b[i] * b[i]
            i += 1
        }
        guard sa > 0, sb > 0 else { return 0 }
        return sd / (sa * sb).squareRoot()
    }
}

extension Distance {
    /// `score(a, b, dim:)`, or with `raw` (uint8 Cosine) the cosine of unnormalized vectors.
    @inline(__always)
    func score(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dim: Int, raw: Bool) -> Float {
        raw ? SIMDKernels.cosine(a, b, dim) : score(a, b, dim: dim)
    }
}

extension VectorDataConfig {
    /// The element type of this vector's storage (validated by `SegmentState.read`).
    var storedDatatype: VectorDatatype { datatype.flatMap(VectorDatatype.init(rawValue:)) ?? .float32 }
}

extension SegmentSchema {
    /// The element type of dense slot `slot`.
    public func datatype(_ slot: Int) -> VectorDatatype { slot < datatypes.count ? datatypes[slot] : .float32 }
}

extension FloatColumn {
    /// The vectors of a `matrix.dat` already mapped as `mapped` and checked to hold `floats`
    /// elements of `datatype` after its header: f32 are mapped in place, f16 and u8 are
    /// converted into memory.
    init(matrix path: String, mapped: MappedFile?, datatype: VectorDatatype, floats: Int) throws {
        if datatype == .float32 {
            try self.init(mapping: path, offset: DenseMatrixFile.dataOffset, floats: floats)
            return
        }
        let need = DenseMatrixFile.dataOffset + floats * datatype.elementSize
        guard (mapped?.count ?? 0) == need || (mapped == nil && floats == 0) else {
            throw StorageError(.corrupt, "\(path) holds \(mapped?.count ?? 0) bytes, expected \(need)")
        }
        self.init(mapped.withBytes { b in
            floats == 0 ? [] : datatype.decode(UnsafeRawBufferPointer(rebasing: b[DenseMatrixFile.dataOffset...]), count: floats)
        })
    }

    /// The column's floats as `datatype` elements (the body of a `matrix.dat` or chunk file).
    func encoded(as datatype: VectorDatatype) -> [UInt8] {
        withUnsafeBufferPointer { datatype.encode($0) }
    }
}
