import Engine
import Foundation

/// The snapshot verbs over REST (`--url`), with Qdrant's paths.
enum RemoteSnapshotActions {
    struct Envelope<T: Decodable>: Decodable { var result: T }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(Envelope<T>.self, from: Data(bytes)).result
    }

    /// `…/snapshots` of a scope.
    static func base(_ scope: SnapshotScope) -> String {
        switch scope {
        case .full: return "/snapshots"
        case .collection(let c): return "/collections/\(RemoteClient.pathSegment(c))/snapshots"
        case .shard(let c, let id): return "/collections/\(RemoteClient.pathSegment(c))/shards/\(id)/snapshots"
        }
    }

    static func create(
        _ client: RemoteClient, _ scope: SnapshotScope, output: String?, compress: SnapshotCompression = .none,
        annotation: SnapshotAnnotation? = nil, out: OutputOptions
    ) throws {
        if let output, case .shard(let c, let id) = scope {
            // A live shard stream: nothing is stored on the server.
            let sink = try compress.wrap(out.reporting(try Stdout.sink(for: output), "shard \(id) of \(c)"))
            try client.download("/collections/\(RemoteClient.pathSegment(c))/shards/\(id)/snapshot", to: sink)
            try sink.close()
            return
        }
        let d = try decode(SnapshotDescription.self, try client.json("POST", base(scope) + "?wait=true" + query(annotation)))
        guard let output else {
            try out.emit(d, text: "\(d.name)\t\(d.size)\t\(d.checksum ?? "-")")
            return
        }
        try download(client, scope, name: d.name, output: output, out: out, total: d.size, compress: compress)
    }

    /// `POST …/snapshots?wait=false`: prints the operation id the server answers with.
    static func start(_ client: RemoteClient, _ scope: SnapshotScope, annotation: SnapshotAnnotation? = nil, out: OutputOptions) throws {
        struct Accepted: Codable { var operation_id: String }
        let answer = try client.json("POST", base(scope) + "?wait=false" + query(annotation))
        let accepted = try JSONDecoder().decode(Accepted.self, from: Data(answer))
        try out.emit(accepted, text: accepted.operation_id)
    }

    static func list(_ client: RemoteClient, _ scope: SnapshotScope, out: OutputOptions) throws {
        let list = try decode([SnapshotDescription].self, try client.json("GET", base(scope)))
        try out.emit(list, text: list.map(SnapshotActions.line).joined(separator: "\n"))
    }

    /// `&description=…&label=k=v…` for a create.
    static func query(_ annotation: SnapshotAnnotation?) -> String {
        guard let annotation else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s }
        var q = annotation.description.map { "&description=" + enc($0) } ?? ""
        for (k, v) in (annotation.labels ?? [:]).sorted(by: { $0.key < $1.key }) { q += "&label=" + enc("\(k)=\(v)") }
        return q
    }

    static func download(
        _ client: RemoteClient, _ scope: SnapshotScope, name: String, output: String, out: OutputOptions, total: Int64? = nil,
        compress: SnapshotCompression = .none
    ) throws {
        let sink = try compress.wrap(out.reporting(try Stdout.sink(for: output), name, total: total))
        do {
            try client.download(base(scope) + "/" + RemoteClient.pathSegment(name), to: sink)
            try sink.close()
        } catch {
            try? sink.close()
            if output != "-" { unlink(output) }  // no half-written or empty file named like a snapshot
            throw error
        }
    }

    static func delete(_ client: RemoteClient, _ scope: SnapshotScope, name: String, out: OutputOptions) throws {
        _ = try client.json("DELETE", base(scope) + "/" + RemoteClient.pathSegment(name) + "?wait=true")
        try out.emit(["deleted": name], text: "")
    }

    /// Restores into a collection or shard on the server: an http(s) SOURCE is recovered by URL
    /// (the server fetches it); anything else is uploaded as a stream.
    static func recover(_ client: RemoteClient, _ scope: SnapshotScope, source: String, checksum: String?, out: OutputOptions) throws {
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            var body: [String: String] = ["location": source]
            body["checksum"] = checksum
            _ = try client.json("PUT", base(scope) + "/recover?wait=true", body: Array(try JSONEncoder().encode(body)))
            return
        }
        let (raw, path0) = try openSource(source)
        let input = out.reporting(raw, "upload", path: path0)
        var path = base(scope) + "/upload?wait=true"
        if let checksum { path += "&checksum=\(checksum)" }
        _ = try client.upload(path, from: input)
    }
}
