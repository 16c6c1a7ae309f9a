import NIOCore
import NIOHTTPTypes

/// Lets a connection's socket reads grow to 1 MiB (NIO's adaptive default stops at 64 KiB).
/// The allocator still starts at 2 KiB and grows only while reads fill their buffer, so small
/// requests are unaffected; a snapshot upload then arrives in ~1 MiB chunks instead of 64 KiB
/// ones, each of which costs a hop through the request body stream and the multipart parser.
final class BulkReadsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    static let maximumRead = 1 << 20

    func handlerAdded(context: ChannelHandlerContext) {
        context.channel.setOption(
            ChannelOptions.recvAllocator,
            value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: BulkReadsHandler.maximumRead)
        ).whenFailure { _ in }  // a channel without the option keeps NIO's default
    }
}
