import Foundation

/// Qdrant's single-file dense vector storage (`lib/segment/src/vector_storage/dense/`), used by
/// immutable segments (`InRamMmap`, `Mmap`):
///
///     matrix.dat   4-byte magic "data", then n × dim little-endian elements: f32, or f16 / u8
///                  for the `float16` / `uint8` datatypes (n = (len − 4) / (dim × element size))
///     deleted.dat  4-byte magic "drop", zero padding to 8, then a bitset of vector-deleted
///                  internal ids, LSB-first in u64 words
///
/// "Deleted" here means that this named vector was removed from the point (`delete_vectors`),
/// not that the point is gone: the id tracker alone decides liveness. Vector data starts at
/// byte 4, which keeps `Float` loads aligned in a mapping.
public enum DenseMatrixFile {
    public static let matrixFile = "matrix.dat"
    public static let deletedFile = "deleted.dat"
    static let matrixMagic: [UInt8] = Array("data".utf8)
    static let deletedMagic: [UInt8] = Array("drop".utf8)
    /// Where the floats start in `matrix.dat`.
    public static let dataOffset = 4

    /// The number of vectors `matrix.dat` holds, checked: the magic, and a length that is a
    /// whole number of `dim`-element vectors of `elementSize` bytes each.
    public static func count(validatingMatrix b: UnsafeRawBufferPointer, dim: Int, elementSize: Int = 4) throws -> Int {
        guard dim > 0 else { throw SegmentFormatError(.corrupt, matrixFile, "vector size 0") }
        guard b.count >= 4, Array(b[0..<4]) == matrixMagic else {
            throw SegmentFormatError(.corrupt, matrixFile, "does not start with the magic \"data\"")
        }
        let stride = dim * elementSize
        guard (b.count - 4) % stride == 0 else {
            throw SegmentFormatError(.corrupt, matrixFile, "holds \(b.count - 4) bytes of vectors, not a multiple of \(stride) (\(dim) elements of \(elementSize) bytes)")
        }
        return (b.count - 4) / stride
    }

    /// The vector-deleted flags of `count` vectors.
    public static func readDeleted(validating b: UnsafeRawBufferPointer, count: Int) throws -> [Bool] {
        guard b.count >= 8, Array(b[0..<4]) == deletedMagic else {
            throw SegmentFormatError(.corrupt, deletedFile, "does not start with the magic \"drop\"")
        }
        guard b.count - 8 >= (count + 7) / 8 else {
            throw SegmentFormatError(.corrupt, deletedFile, "is \(b.count) bytes, too short for \(count) vectors")
        }
        return SegmentBytes.bits(UnsafeRawBufferPointer(rebasing: b[8...]), count: count)
    }

    /// `matrix.dat`'s 4-byte header; the floats follow it as they are in memory.
    public static func matrixHeader() -> [UInt8] { matrixMagic }

    public static func writeDeleted(_ deleted: [Bool]) -> [UInt8] {
        deletedMagic + [0, 0, 0, 0] + SegmentBytes.packWords(deleted)
    }
}
