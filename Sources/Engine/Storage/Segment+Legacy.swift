import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// qdb 0.1's own sealed segment files, read so that storages and archives written by qdb 0.1
/// keep opening (`Segment.load` rewrites them in Qdrant's layout right after):
///
///     segment.json (qdb's `SegmentMeta`, format 1)  ids.bin  versions.bin  payloads.bin
///     vectors-<slot>.f32  present-<slot>.bin  deleted.bin  version.info
extension Segment {
    static func vectorFile(_ slot: Int) -> String { "vectors-\(slot).f32" }
    static func presentFile(_ slot: Int) -> String { "present-\(slot).bin" }

    /// Loads a qdb 0.1 segment directory, checking that every column agrees on the point count.
    static func loadLegacy(from dir: String) throws -> Segment {
        let name = (dir as NSString).lastPathComponent
        func corrupt(_ what: String) -> StorageError {
            StorageError(.corrupt, "segment \(name) is damaged: \(what)")
        }
        let meta: SegmentMeta
        do {
            meta = try JSONDecoder().decode(SegmentMeta.self, from: Data(try FileIO.readAll(dir + "/segment.json")))
        } catch {
            throw corrupt("unreadable segment.json (\(SegmentState.describe(error)))")
        }
        do {
            try checkBounds(meta, dir: dir)
        } catch let e as BoundsError {
            throw corrupt("\(e)")
        }
        let n = meta.points
        let seg = Segment(id: meta.id, dims: meta.dims)
        do {
            let ids: [PointID] = try decode(dir + "/ids.bin", n) { try $0.pointID() }
            let versions: [UInt64] = try decode(dir + "/versions.bin", n) { try $0.u64() }
            let payloads = try PayloadColumn(mapping: dir + "/payloads.bin", count: n)
            var vectors: [FloatColumn] = []
            var present: [[Bool]] = []
            for (slot, d) in meta.dims.enumerated() {
                guard let column = try? FloatColumn(mapping: dir + "/" + vectorFile(slot), floats: n * d) else {
                    throw corrupt("\(vectorFile(slot)) has the wrong size")
                }
                vectors.append(column)
                let p = try FileIO.readAll(dir + "/" + presentFile(slot))
                guard p.count == n else { throw corrupt("\(presentFile(slot)) has the wrong size") }
                present.append(p.map { $0 != 0 })
            }
            let deleted = unpackBits(try FileIO.readAll(dir + "/deleted.bin"), count: n)
            seg.load(ids: ids, vectors: vectors, present: present, payloads: payloads, versions: versions, deleted: deleted)
        } catch let e as StorageError {
            throw e
        } catch {
            throw corrupt("\(error)")
        }
        seg.createdVersion = meta.created_version
        seg.deletedVersion = meta.deleted_version
        seg.isSealed = true
        seg.needsRewrite = true
        return seg
    }

    private static func decode<T>(_ path: String, _ n: Int, _ one: (inout ByteReader) throws -> T) throws -> [T] {
        let bytes = try FileIO.readAll(path)
        guard bytes.count >= n else { throw ByteReader.Truncated() }  // every record takes a byte at least
        return try bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var out: [T] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try one(&r)) }
            guard r.remaining == 0 else { throw ByteReader.Truncated() }
            return out
        }
    }

    static func unpackBits(_ bytes: [UInt8], count: Int) -> [Bool] {
        bytes.withUnsafeBytes { SegmentBytes.bits($0, count: count) }
    }
}
