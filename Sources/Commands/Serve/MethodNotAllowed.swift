import Foundation
import Hummingbird

/// The router's paths and their methods, filled in once every route is added, so that a
/// request to a known path with a method it does not serve answers 405 (with `Allow`), as
/// Qdrant does, instead of 404.
final class RouteTable: @unchecked Sendable {
    private let lock = NSLock()
    private var routes: [(components: [Substring], method: HTTPRequest.Method)] = []

    func load(_ list: [Router<BasicRequestContext>.RouteDescription]) {
        let parsed = list.map { ($0.path.description.split(separator: "/"), $0.method) }
        lock.withLock { routes = parsed }
    }

    /// The methods served on `path` (empty when no route has that path).
    func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/")
        let all = lock.withLock { routes }
        return all.filter { r in
            if r.components.last == "**" { return parts.count >= r.components.count - 1 && zip(r.components, parts).allSatisfy(Self.matches) }
            return r.components.count == parts.count && zip(r.components, parts).allSatisfy(Self.matches)
        }.map(\.method)
    }

    /// The methods of the routes whose last path component is literal and that match `path`:
    /// such a path is known by that name, so a parameter route beside it (`points/{id}` beside
    /// `points/query`) must not answer it for another method.
    func literalMethods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/")
        let all = lock.withLock { routes }
        return all.filter { r in
            guard let last = r.components.last, !Self.isPattern(last), r.components.count == parts.count else { return false }
            return zip(r.components, parts).allSatisfy(Self.matches)
        }.map(\.method)
    }

    private static func isPattern(_ c: Substring) -> Bool {
        (c.hasPrefix("{") && c.hasSuffix("}")) || c == "*" || c == "**"
    }

    private static func matches(_ pattern: Substring, _ part: Substring) -> Bool {
        pattern == part || (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == "*" || pattern == "**"
    }
}

/// Turns the router's 404 for a known path into 405 Method Not Allowed.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let literal = Set(table.literalMethods(for: request.uri.path).map(\.rawValue))
        if !literal.isEmpty, !literal.contains(request.method.rawValue), !(request.method == .head && literal.contains("GET")) {
            throw Self.error(request, allowed: literal.sorted())
        }
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound {
            let allowed = Set(table.methods(for: request.uri.path).map(\.rawValue)).sorted()
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw e }
            throw Self.error(request, allowed: allowed)
        }
    }

    static func error(_ request: Request, allowed: [String]) -> APIError {
        var error = APIError(
            .methodNotAllowed, "Method Not Allowed: \(request.method) is not served on \(request.uri.path); use \(allowed.joined(separator: ", "))")
        error.headers[.allow] = allowed.joined(separator: ", ")
        return error
    }
}
