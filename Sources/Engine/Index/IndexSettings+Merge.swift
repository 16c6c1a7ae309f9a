import Foundation

/// The merge optimizer's settings, in Qdrant's units (`lib/shard/src/optimizers/config.rs`).
extension IndexSettings {
    /// Qdrant's `DEFAULT_MAX_SEGMENT_PER_CPU_KB`.
    static let maxSegmentKBPerIndexingThread = 256_000

    /// `default_segment_number`, 0 meaning Qdrant's automatic choice: one segment per two CPUs,
    /// at least 2 and at most 8.
    func segmentNumber(cpus: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        optimizer.default_segment_number > 0 ? optimizer.default_segment_number : min(8, max(2, cpus / 2))
    }

    /// `max_segment_size` in bytes of vector data; unset meaning Qdrant's automatic choice of
    /// 256 000 KB per indexing thread.
    func maxSegmentBytes(cpus: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        let threads = hnsw.max_indexing_threads > 0 ? hnsw.max_indexing_threads : cpus
        let kb = optimizer.max_segment_size ?? threads.multipliedReportingOverflow(by: Self.maxSegmentKBPerIndexingThread).partialValue
        return kb.multipliedReportingOverflow(by: 1024).partialValue
    }

    /// The segments to merge into one, given the sealed segments' vector bytes (Qdrant's
    /// `max_available_vectors_size_in_bytes`: stored vectors, deleted ones included) and the
    /// shard's segment count (appendable included): Qdrant's `MergeOptimizer` plan, smallest
    /// first, while the batch's total stays under `max_segment_size`, and only as many as bring
    /// the count down to `default_segment_number`. Nil when no batch of two or more exists.
    ///
    /// One difference from Qdrant: qdb never merges its appendable segment, so a merge of two
    /// sealed segments always removes one segment, and Qdrant's rule that a lone first batch
    /// needs three segments (a merge that takes the appendable one creates a new one) is not
    /// needed. Returns indexes into `sizes`.
    func mergeBatch(sizes: [Int], segmentCount: Int, cpus: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int]? {
        let excess = segmentCount - segmentNumber(cpus: cpus)
        guard excess > 0, sizes.count >= 2 else { return nil }
        let threshold = maxSegmentBytes(cpus: cpus)
        let order = sizes.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] < sizes[$1] : $0 < $1 }
        var batch: [Int] = []
        var total = 0
        for i in order.prefix(excess + 1) {
            let (sum, overflow) = total.addingReportingOverflow(sizes[i])
            guard !overflow, sum < threshold else { break }
            total = sum
            batch.append(i)
        }
        return batch.count >= 2 ? batch : nil
    }
}
