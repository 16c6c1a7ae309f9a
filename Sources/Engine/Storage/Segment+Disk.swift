import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `segment.json`: what a sealed segment holds and the version of each of its files.
struct SegmentMeta: Codable {
    var id: String
    var format: Int = 1
    var version: UInt64
    var created_version: UInt64
    var deleted_version: UInt64
    var points: Int
    var live_points: Int
    var dims: [Int]
    /// Each file's version: immutable files carry `created_version`, `deleted.bin` its own.
    var file_versions: [String: UInt64]
    /// Each file's SHA-256 and size, taken as it was written (absent in segments written before
    /// qdb recorded them; computed on load then).
    var file_sha256: [String: String]?
    var file_sizes: [String: Int]?

    /// The `segment.json` of the sealed segment directory `dir`.
    static func read(segmentDir dir: String) throws -> SegmentMeta {
        do {
            return try JSONDecoder().decode(SegmentMeta.self, from: Data(try FileIO.readAll(dir + "/segment.json")))
        } catch {
            throw StorageError(.corrupt, "segment \(Segment.displayName(dir)) is damaged: unreadable segment.json (\(error))")
        }
    }
}

extension Segment {
    static let immutableFiles = ["ids.bin", "versions.bin", "payloads.bin", "version.info"]

    static func vectorFile(_ slot: Int) -> String { "vectors-\(slot).f32" }
    static func presentFile(_ slot: Int) -> String { "present-\(slot).bin" }

    var meta: SegmentMeta {
        var fv: [String: UInt64] = [:]
        var files = Segment.immutableFiles
        for slot in dims.indices { files += [Segment.vectorFile(slot), Segment.presentFile(slot)] }
        for f in files { fv[f] = createdVersion }
        fv["deleted.bin"] = deletedVersion
        return SegmentMeta(
            id: id, version: version, created_version: createdVersion, deleted_version: deletedVersion,
            points: count, live_points: liveCount, dims: dims, file_versions: fv,
            file_sha256: fileDigests.mapValues(\.sha256), file_sizes: fileDigests.mapValues(\.size))
    }

    /// This sealed segment's manifest (reference §3.1) as its `segment.json` on disk says.
    static func manifest(of meta: SegmentMeta, collection: String, shard: Int) -> SegmentManifest {
        SegmentManifest(
            segment_id: meta.id, segment_version: max(meta.created_version, meta.deleted_version),
            file_versions: meta.file_versions.mapValues { Optional($0) }, file_sha256: meta.file_sha256,
            file_sizes: meta.file_sizes, collection: collection, shard_id: shard)
    }

    /// Writes one file of the segment and records its digest.
    private func put(_ dir: String, _ name: String, _ raw: UnsafeRawBufferPointer) throws {
        try Segment.writeFile(dir + "/" + name, raw)
        let h = SHA256Hasher()
        h.update(raw)
        fileDigests[name] = ArchiveMetadata.FileInfo(size: raw.count, sha256: h.finalizeHex())
    }

    private func put(_ dir: String, _ name: String, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try put(dir, name, $0) }
    }

    /// Writes this segment as a new sealed directory `segmentsDir/<id>` (built as `<id>.tmp`, fsynced,
    /// then renamed), and marks it sealed at `version`.
    func writeSealed(to segmentsDir: String, version: UInt64) throws {
        createdVersion = version
        deletedVersion = 0
        let final = segmentsDir + "/" + id
        let tmp = final + ".tmp"
        FileIO.removeTree(tmp)
        try FileIO.makeDirectories(tmp)
        do {
            fileDigests = [:]
            var w = ByteWriter(capacity: count * 9)
            for pid in ids { w.pointID(pid) }
            try put(tmp, "ids.bin", w.bytes)
            w = ByteWriter(capacity: count * 8)
            for v in versions { w.u64(v) }
            try put(tmp, "versions.bin", w.bytes)
            w = ByteWriter(capacity: count * 16)
            for p in payloads.all { w.payload(p) }
            try put(tmp, "payloads.bin", w.bytes)
            for slot in dims.indices {
                try vectors[slot].withUnsafeBytes { try put(tmp, Segment.vectorFile(slot), $0) }
                try put(tmp, Segment.presentFile(slot), present[slot].map { $0 ? 1 : 0 })
            }
            try put(tmp, "version.info", Array("0.6.0".utf8))
            try put(tmp, "deleted.bin", Segment.packBits(deleted))
            try Segment.writeFile(tmp + "/segment.json", try .json(meta, pretty: true))
            try FileIO.syncDirectory(tmp)
            guard rename(tmp, final) == 0 else { throw FileIO.ioError("rename \(tmp)") }
            try FileIO.syncDirectory(segmentsDir)
        } catch {
            FileIO.removeTree(tmp)
            throw error
        }
        isSealed = true
        deletedDirty = false
        // From now on the vectors are read from the immutable files just written (still in the
        // page cache), which frees the process's own copy.
        if let mapped = try? dims.indices.map({ try FloatColumn(mapping: final + "/" + Segment.vectorFile($0), floats: count * dims[$0]) }) {
            useVectors(mapped)
        }
    }

    /// Persists a changed deletion bitmap and the segment.json that records its version.
    func writeDeletions(in segmentsDir: String) throws {
        guard deletedDirty else { return }
        let dir = segmentsDir + "/" + id
        let bits = Segment.packBits(deleted)
        try FileIO.writeAtomically(bits, to: dir + "/deleted.bin")
        fileDigests["deleted.bin"] = ArchiveMetadata.FileInfo(size: bits.count, sha256: SHA256Hasher.hexDigest(of: bits))
        try FileIO.writeAtomically(try [UInt8].json(meta, pretty: true), to: dir + "/segment.json")
        deletedDirty = false
    }

    /// Loads a sealed segment directory, checking that every column agrees on the point count.
    static func load(from dir: String) throws -> Segment {
        func corrupt(_ what: String) -> StorageError {
            StorageError(.corrupt, "segment \(displayName(dir)) is damaged: \(what)")
        }
        let meta = try SegmentMeta.read(segmentDir: dir)
        let n = meta.points
        do {
            try checkBounds(meta, dir: dir)
        } catch let e as BoundsError {
            throw corrupt("\(e)")
        }
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
        try seg.takeDigests(from: meta, dir: dir)
        seg.isSealed = true
        return seg
    }

    /// A segment directory as messages show it: `segments/<id>`, never the server's absolute path.
    static func displayName(_ dir: String) -> String {
        let parts = dir.split(separator: "/")
        return parts.suffix(2).joined(separator: "/")
    }

    /// Checks every count `segment.json` declares against the real sizes of the files that must
    /// hold it (the bounds policy, `Bounds`), before anything is allocated or mapped for it: a
    /// `points` or `dims` value the files cannot back throws `BoundsError`.
    static func checkBounds(_ meta: SegmentMeta, dir: String) throws {
        func size(_ name: String) throws -> Int {
            do { return try FileIO.size(dir + "/" + name) } catch { throw BoundsError(name, "is missing or unreadable") }
        }
        let n = try Bounds.count(meta.points, minimumRecordSize: 9, available: try size("ids.bin"), what: "segment.json `points`")
        guard meta.live_points >= 0, meta.live_points <= n else { throw BoundsError("segment.json `live_points`", "is \(meta.live_points), outside 0...\(n)") }
        try Bounds.exactSize(try size("versions.bin"), expected: try Bounds.byteSize(count: n, stride: 8, what: "versions.bin"), what: "versions.bin")
        try Bounds.count(n, minimumRecordSize: 5, available: try size("payloads.bin"), what: "segment.json `points` (payloads.bin)")
        try Bounds.exactSize(try size("deleted.bin"), expected: (n + 7) / 8, what: "deleted.bin")
        for (slot, d) in meta.dims.enumerated() {
            guard d > 0 else { throw BoundsError("segment.json `dims`", "has a vector size of \(d)") }
            let floats = try Bounds.byteSize(count: n, stride: d, what: vectorFile(slot))
            let bytes = try Bounds.byteSize(count: floats, stride: MemoryLayout<Float>.stride, what: vectorFile(slot))
            try Bounds.exactSize(try size(vectorFile(slot)), expected: bytes, what: vectorFile(slot))
            try Bounds.exactSize(try size(presentFile(slot)), expected: n, what: presentFile(slot))
        }
    }

    /// Takes the file digests `segment.json` records, or computes them from the files in `dir`
    /// for a segment written before qdb recorded them.
    func takeDigests(from meta: SegmentMeta, dir: String) throws {
        fileDigests = [:]
        if let sha = meta.file_sha256, let sizes = meta.file_sizes, Set(sha.keys) == Set(meta.file_versions.keys) {
            for (name, h) in sha { fileDigests[name] = ArchiveMetadata.FileInfo(size: sizes[name] ?? 0, sha256: h) }
        } else {
            for name in meta.file_versions.keys {
                let bytes = try FileIO.readAll(dir + "/" + name)
                fileDigests[name] = ArchiveMetadata.FileInfo(size: bytes.count, sha256: SHA256Hasher.hexDigest(of: bytes))
            }
        }
    }

    /// The sealed segment laid out in `dir` whose column files are this segment's own (hard
    /// links of them, at the same versions), sharing this segment's columns copy-on-write and
    /// reading only `segment.json` and `deleted.bin` from `dir`: a partial recovery then does not
    /// parse unchanged segments again. The caller holds the owning shard's lock.
    func reusingColumns(for dir: String) throws -> Segment {
        let meta = try SegmentMeta.read(segmentDir: dir)
        let bits = try FileIO.readAll(dir + "/deleted.bin")
        guard meta.id == id, meta.points == count, meta.dims == dims, bits.count == (count + 7) / 8 else {
            throw StorageError(.corrupt, "segment \(dir) does not match the columns it shares with segment \(id)")
        }
        let seg = Segment(id: id, dims: dims)
        seg.load(ids: ids, vectors: vectors, present: present, payloads: payloads, versions: versions,
                 deleted: Segment.unpackBits(bits, count: count))
        seg.createdVersion = meta.created_version
        seg.deletedVersion = meta.deleted_version
        try seg.takeDigests(from: meta, dir: dir)
        seg.isSealed = true
        return seg
    }

    private static func decode<T>(_ path: String, _ n: Int, _ one: (inout ByteReader) throws -> T) throws -> [T] {
        let bytes = try FileIO.readAll(path)
        return try bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var out: [T] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try one(&r)) }
            guard r.remaining == 0 else { throw ByteReader.Truncated() }
            return out
        }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeFile(path, $0) }
    }

    static func writeFile(_ path: String, _ raw: UnsafeRawBufferPointer) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.ioError("create \(path)") }
        defer { close(fd) }
        try FileIO.writeAll(fd: fd, raw)
        guard fsync(fd) == 0 else { throw FileIO.ioError("fsync \(path)") }
    }

    static func packBits(_ bits: [Bool]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, b) in bits.enumerated() where b { out[i >> 3] |= 1 << UInt8(i & 7) }
        return out
    }

    static func unpackBits(_ bytes: [UInt8], count: Int) -> [Bool] {
        (0..<count).map { i in i >> 3 < bytes.count && bytes[i >> 3] & (1 << UInt8(i & 7)) != 0 }
    }
}
