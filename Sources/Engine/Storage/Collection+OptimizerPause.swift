extension Collection {
    /// Runs `body` with the optimizer of every shard of `collection` (if any) paused: a job in
    /// flight is asked to stop and waited for first (`OptimizerState.pause`), and none starts
    /// until `body` ends, however it ends. The caller holds no shard lock (a stopping job may
    /// need one to finish).
    static func pausingOptimizers<T>(of collection: Collection?, _ body: () throws -> T) rethrows -> T {
        let shards = collection?.shards ?? []
        for shard in shards { shard.optimizerState.pause() }
        defer { for shard in shards { shard.optimizerState.resume() } }
        return try body()
    }
}
