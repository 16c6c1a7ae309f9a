import ArgumentParser
import Engine
import Foundation

/// `/operations` over REST, for `qdb operation` and `snapshot create --no-wait`.
struct RemoteOperations {
    let client: RemoteClient

    init(_ target: TargetOptions) throws {
        guard let client = target.remote else {
            throw CommandFailure(ExitStatus.usage, "operations live in a server: give --url URL (or set QDB_URL)")
        }
        self.client = client
    }

    func list() throws -> [OperationInfo] {
        try RemoteSnapshotActions.decode([OperationInfo].self, try client.json("GET", "/operations"))
    }

    func status(_ id: String) throws -> OperationInfo {
        try RemoteSnapshotActions.decode(OperationInfo.self, try client.json("GET", "/operations/" + RemoteClient.pathSegment(id)))
    }

    func cancel(_ id: String) throws -> OperationInfo {
        try RemoteSnapshotActions.decode(OperationInfo.self, try client.json("DELETE", "/operations/" + RemoteClient.pathSegment(id)))
    }

    /// Polls operation `id` every `seconds` until it ends, reporting its bytes on stderr.
    func follow(_ id: String, every seconds: Double, out: OutputOptions) async throws -> OperationInfo {
        var info = try status(id)
        let meter = out.meter("\(info.kind.rawValue) \(info.collection ?? "")", total: info.bytes_total)
        var reported: Int64 = 0
        while true {
            meter.add(Int(info.bytes_done - reported))
            reported = info.bytes_done
            if info.phase.isFinished { break }
            try await Task.sleep(for: .seconds(seconds))
            info = try status(id)
        }
        meter.finish()
        return info
    }

    /// One operation as a tab-separated line: id, kind, collection, phase, bytes done/total.
    static func line(_ o: OperationInfo) -> String {
        let total = o.bytes_total.map(String.init) ?? "-"
        let end = o.error.map { "\t\($0)" } ?? ""
        return "\(o.id)\t\(o.kind.rawValue)\t\(o.collection ?? "-")\t\(o.phase.rawValue)\t\(o.bytes_done)/\(total)\(end)"
    }
}
