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
        access(presented: APIKeys.presented(headers))
    }

    /// What a presented key (nil: none) grants. REST headers and gRPC metadata both end here.
    func access(presented given: String?) -> Access {
        guard let given else { return .missing }
        if let apiKey, APIKeys.constantTimeEquals(given, apiKey) { return .full }
        if let readOnlyKey, APIKeys.constantTimeEquals(given, readOnlyKey) { return .readOnly }
        return .invalid
    }

    /// Admits a request that only reads (`isRead`) or also writes, or throws the error Qdrant
    /// answers: 401 without a valid key, 403 for a write with the read-only key.
    func authorize(presented given: String?, isRead: Bool) throws {
        switch access(presented: given) {
        case .full: return
        case .readOnly:
            guard isRead else { throw APIError(.forbidden, "Forbidden: Global manage access is required") }
        case .missing:
            throw APIError(.unauthorized, "Must provide an API key or an Authorization bearer token")
        case .invalid:
            throw APIError(.unauthorized, "Invalid API key or JWT")
        }
    }

    static let header = HTTPField.Name("api-key")!

    static func presented(_ headers: HTTPFields) -> String? {
        presented(apiKey: headers[header], authorization: headers[.authorization])
    }

    /// The key from an `api-key` value, else from an `Authorization: Bearer` value.
    static func presented(apiKey: String?, authorization: String?) -> String? {
        if let apiKey { return apiKey }
        if let auth = authorization, auth.lowercased().hasPrefix("bearer ") {
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
