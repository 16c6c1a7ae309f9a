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
