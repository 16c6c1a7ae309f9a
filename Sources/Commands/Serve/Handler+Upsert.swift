import Engine
import Hummingbird

extension Call {
    /// An upsert's body as points and the body's other fields (for `UpsertJSON.updateOptions`).
    /// The usual shapes are read straight into points by `JSONParser.parseUpsert`; any other
    /// body (sparse or multivectors, a field of the wrong type, bad JSON) is parsed and converted
    /// as before (`JSONParser.parse`, `UpsertJSON.points`), which gives the same points for the
    /// shapes both take and Qdrant's 400 for a bad body. Runs off the event loop.
    func upsertBody() async throws -> (points: [PointInput], options: JSONValue) {
        var req = request
        let buffer = try await req.collectBody(upTo: state.maxBodyBytes)
        return try await Blocking.run {
            if let fast = buffer.withUnsafeReadableBytes({ JSONParser.parseUpsert($0) }) {
                return (fast.points, .object(fast.options))
            }
            let body: JSONValue
            do {
                body = try JSONParser.parse(buffer.readableBytesView)
            } catch let e as JSONParser.Error {
                throw APIError(.badRequest, "Format error in JSON body: \(e)")
            }
            return (try UpsertJSON.points(from: body), body)
        }
    }
}
