import Foundation
import Logging
@testable import Engine

/// A fresh temporary directory, removed when the value is released.
final class TempDir {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "qdb-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let testLogger: Logger = {
    var l = Logger(label: "qdb-test")
    l.logLevel = .error
    return l
}()

func vec(_ xs: Float...) -> [Float] { xs }

func point(_ id: UInt64, _ v: [Float], _ payload: Payload = [:]) -> PointInput {
    PointInput(id: .number(id), vectors: ["": v], payload: payload)
}

/// A point's full state, comparable across collections (dictionary order does not matter).
struct PointState: Equatable, CustomStringConvertible {
    var id: PointID
    var vectors: [String: [Float]]
    var payload: Payload
    var description: String { "\(id)" }
}

/// Every point of `c` in id order, with vectors and payload.
func allPoints(_ c: Collection) -> [PointState] {
    c.scroll(filter: nil, offset: nil, limit: 1_000_000, payload: .all, vectors: .all).records.map {
        PointState(id: $0.id, vectors: $0.vectors ?? [:], payload: $0.payload ?? [:])
    }
}

/// A storage with collection `c`: 1000 clustered 8-d Cosine points (with `payload(i)`) in one
/// sealed segment that wants an index (`indexing_threshold` 1, one indexing thread), and no
/// seal by size: the optimizer's next job indexes it.
func storageAwaitingIndex(_ dir: TempDir, seed: UInt64, payload: (Int) -> Payload = { _ in [:] }) throws -> Storage {
    let s = try Storage.open(StorageOptions(path: dir.path, sealThreshold: 100_000), logger: testLogger)
    var c = CollectionConfig(params: .init(vectors: .single(.init(size: 8, distance: .cosine))))
    c.optimizer_config.indexing_threshold = 1
    c.hnsw_config.max_indexing_threads = 1
    try s.createCollection("c", config: c)
    let data = ClusteredData(count: 1000, dim: 8, clusters: 20, queries: 1, distance: .cosine, seed: seed)
    let points = (0..<1000).map { (i: Int) -> PointInput in
        let v = Array(data.points[(i * 8)..<(i * 8 + 8)])
        return point(UInt64(i), v, payload(i))
    }
    _ = try s.collection("c").upsert(points, wait: true)
    try s.collection("c").close()  // seals: the segment waits for its graph
    return s
}
