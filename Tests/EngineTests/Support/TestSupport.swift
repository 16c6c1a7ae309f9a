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
