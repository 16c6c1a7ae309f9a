/// A segment's sparse vectors: one column per sparse slot, an optional vector per point.
extension Segment {
    /// Appends the sparse vectors of the point at `off` (nil where it lacks one), keeping
    /// every column `off + 1` long.
    func appendSparse(_ v: [SparseVector?], at off: Int) {
        guard !v.isEmpty || !sparse.isEmpty else { return }
        while sparse.count < v.count { sparse.append([]) }
        while sparseLive.count < sparse.count { sparseLive.append(0) }
        for slot in sparse.indices {
            if slot < v.count, v[slot] != nil { sparseLive[slot] += 1 }
            if sparse[slot].count < off { sparse[slot].append(contentsOf: repeatElement(nil, count: off - sparse[slot].count)) }
            sparse[slot].append(slot < v.count ? v[slot] : nil)
        }
    }

    func sparseVector(slot: Int, at off: Int) -> SparseVector? {
        guard slot < sparse.count, off < sparse[slot].count else { return nil }
        return sparse[slot][off]
    }

    /// The point's sparse vectors by slot (empty when the segment holds none).
    func sparseVectors(at off: Int) -> [SparseVector?] {
        sparse.indices.map { sparseVector(slot: $0, at: off) }
    }

    /// Replaces the sparse columns (loaders); each column holds at most `count` entries.
    func loadSparse(_ columns: [[SparseVector?]]) {
        precondition(columns.allSatisfy { $0.count <= count })
        sparse = columns
        sparseIndex = []
        countSparseLive()
    }

    /// Recounts `sparseLive` from the columns and the deletion bitmap.
    func countSparseLive() {
        sparseLive = sparse.map { column in
            var n = 0
            for (off, v) in column.enumerated() where v != nil && !deleted[off] { n += 1 }
            return n
        }
    }

    func sparseDidDelete(_ off: Int) {
        for slot in sparseLive.indices where sparseVector(slot: slot, at: off) != nil { sparseLive[slot] -= 1 }
    }

    /// Builds the inverted index of every sparse slot (sealed segments).
    func buildSparseIndex() {
        sparseIndex = sparse.map { InvertedIndex($0) }
    }

    /// Takes `other`'s sparse columns and indexes (a segment sharing its columns).
    func shareSparse(from other: Segment) {
        sparse = other.sparse
        sparseIndex = other.sparseIndex
        sparseIndexPersisted = other.sparseIndexPersisted
        countSparseLive()
    }

    /// Whether Qdrant reads this sealed segment as appendable (see
    /// `SegmentSchema.isAppendableForQdrant(persistedIndex:)`).
    var isAppendableForQdrant: Bool { schema?.isAppendableForQdrant(persistedIndex: sparseIndexPersisted) ?? false }

    /// Writes every sparse slot's storage (`vector_storage-<name>/`) and, when the segment's
    /// index is persisted, its inverted index (`vector_index-<name>/`, `InvertedIndexFiles`) into
    /// the segment directory `dir` (gridstores preallocated as `preallocatesGridstores` says); for
    /// a segment Qdrant reads as appendable, the mutable id tracker beside the immutable one.
    /// - Returns: the inverted index of every sparse slot, deleted points left out (the caller
    ///   takes them once the directory is in place).
    func writeSparse(to dir: String, schema: SegmentSchema) throws -> [InvertedIndex] {
        let appendable = isAppendableForQdrant
        var indexes: [InvertedIndex] = []
        for (slot, name) in schema.sparseNames.enumerated() {
            let column = slot < sparse.count ? sparse[slot] : []
            try SparseVectorStorage.write(column, count: count, to: dir + "/" + SegmentSchema.storageDir(name), preallocate: schema.preallocatesGridstores)
            let index = InvertedIndex(column, excluding: deleted)
            if schema.sparseIndexType(slot, persisted: sparseIndexPersisted) != "MutableRam" {
                try InvertedIndexFiles.write(index, config: schema.sparseIndexConfig(slot, persisted: true), to: dir + "/" + SegmentSchema.indexDir(name))
            }
            indexes.append(index)
        }
        if appendable {
            let t = mutableTracker()
            try SegmentFiles.write(dir + "/" + MutableIDTracker.mappingsFile, t.mappings)
            try SegmentFiles.write(dir + "/" + MutableIDTracker.versionsFile, t.versions)
        }
        return indexes
    }

    /// Sets up the inverted indexes of a sealed segment read from `dir`, whose `segment.json`
    /// has `config`: read from the index files where it declares them persisted (checked against
    /// the storage), built from the storage where it declares `MutableRam` or `skipping` (the
    /// segment is rewritten anyway).
    /// - Returns: whether the segment must be rewritten to have its index files: some are
    ///   declared but missing or of another version (Qdrant rebuilds them then), or only some
    ///   slots declare them.
    /// - Throws: `SegmentFormatError` naming the index file that does not hold up.
    func loadSparseIndexes(dir: String, schema: SegmentSchema, config: SegmentConfig, skipping: Bool) throws -> Bool {
        let declared = SegmentSchema.persistedSparseIndexes(of: config)
        let wanted = schema.sparseNames.indices.filter(schema.persistsSparseIndex)
        let persisted = wanted.filter { declared.contains(schema.sparseNames[$0]) }
        sparseIndexPersisted = !persisted.isEmpty
        guard !skipping, !persisted.isEmpty, persisted.count == wanted.count else {
            buildSparseIndex()
            return !skipping && !persisted.isEmpty
        }
        var indexes: [InvertedIndex] = []
        for (slot, name) in schema.sparseNames.enumerated() {
            let column = slot < sparse.count ? sparse[slot] : []
            guard declared.contains(name) else {
                indexes.append(InvertedIndex(column))
                continue
            }
            let sub = SegmentSchema.indexDir(name)
            guard let postings = try InvertedIndexFiles.read(dir: dir + "/" + sub, relative: sub, pointCount: count) else {
                buildSparseIndex()
                return true
            }
            var problem = ""
            guard let index = InvertedIndex(checking: postings, column: column, deleted: deleted, problem: &problem) else {
                throw SegmentFormatError(.corrupt, sub + "/" + InvertedIndexFiles.dataFile, "disagrees with the sparse storage: it \(problem)")
            }
            indexes.append(index)
        }
        sparseIndex = indexes
        return false
    }

    /// The mutable id tracker of this segment's live points.
    private func mutableTracker() -> (mappings: [UInt8], versions: [UInt8]) {
        MutableIDTracker(ids: (0..<count).map { deleted[$0] || unmapped.contains($0) ? nil : ids[$0] }, versions: versions).write()
    }

    /// After a deletion in a sealed segment Qdrant reads as appendable: its mutable id tracker
    /// rewritten (by rename) to map only the live points, and its digest recorded.
    func writeMutableTrackerDeletions(in dir: String) throws {
        guard isAppendableForQdrant else { return }
        let m = mutableTracker().mappings
        try FileIO.writeAtomically(m, to: dir + "/" + MutableIDTracker.mappingsFile)
        fileDigests[MutableIDTracker.mappingsFile] = ArchiveMetadata.FileInfo(size: m.count, sha256: SHA256Hasher.hexDigest(of: m))
    }

    /// Reads the sparse storages of the segment directory `dir` for `count` points.
    static func readSparse(from dir: String, schema: SegmentSchema, count: Int, present: Set<String>? = nil) throws -> [[SparseVector?]] {
        try schema.sparseNames.map { name in
            // A sparse vector added after the segment was written: none of its points has it.
            if let present, !present.contains(name) { return [] }
            let sub = SegmentSchema.storageDir(name)
            return try SparseVectorStorage.read(dir: dir + "/" + sub, relative: sub, count: count)
        }
    }
}
