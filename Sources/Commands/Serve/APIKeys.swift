import HTTPTypes

/// The configured API keys, and what a request's headers grant: Qdrant's `api-key: K` or
/// `Authorization: Bearer K`, compared in constant time. The auth middleware and the
/// `Expect: 100-continue` handler both decide from this one place.
struct APIKeys: Sendable {
    enum Access: Equatable { case full, readOnly, missing, invalid }

    let apiKey: String?
    let readOnlyKey: String?

    /// Whether any key is configured (without one, every request has full access).
    var enabled: Bool { apiKey != nil || readOnlyKey != nil }

    func access(_ headers: HTTPFields) -> Access {
        guard let given = APIKeys.presented(headers) else { return .missing }
        if let apiKey, APIKeys.constantTimeEquals(given, apiKey) { return .full }
        if let readOnlyKey, APIKeys.constantTimeEquals(given, readOnlyKey) { return .readOnly }
        return .invalid
    }

    static let header = HTTPField.Name("api-key")!

    static func presented(_ headers: HTTPFields) -> String? {
        if let k = headers[header] { return k }
        if let auth = headers[.authorization], auth.lowercased().hasPrefix("bearer ") {
            return String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
