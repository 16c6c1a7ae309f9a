import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (which `curl -F` sends for large uploads) with `100 Continue`.
/// Hummingbird does not, so clients waited 1 s before sending each body (bench/snapshot).
///
/// Only a request that will pass auth gets the go-ahead: with API keys configured, the full-access
/// key is required (uploads and recoveries need manage access). Anyone else gets no 100, so the
/// auth middleware's 401/403 reaches the client before it sends any of the body.
final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    let keys: APIKeys

    init(keys: APIKeys) {
        self.keys = keys
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data),
            request.headerFields[.expect]?.lowercased() == "100-continue", mayProceed(request)
        {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }

    private func mayProceed(_ request: HTTPRequest) -> Bool {
        !keys.enabled || keys.access(request.headerFields) == .full
    }
}
