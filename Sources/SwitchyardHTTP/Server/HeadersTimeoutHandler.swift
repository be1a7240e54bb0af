import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a new connection whose first request head has not arrived within a time limit
/// (`HEADERS_TIMEOUT_MS`), so a client trickling header bytes cannot hold a connection open.
///
/// Between requests on a kept-alive connection the idle limit (`KEEPALIVE_TIMEOUT_MS`,
/// Hummingbird's `idleTimeout`) applies instead.
package final class HeadersTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPRequestPart
    package typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var scheduled: Scheduled<Void>?
    private var receivedHead = false

    /// Creates the handler.
    /// - Parameter timeout: How long a new connection may take to send its first request head.
    package init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        scheduled = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !receivedHead, case .head = unwrapInboundIn(data) {
            receivedHead = true
            scheduled?.cancel()
            scheduled = nil
        }
        context.fireChannelRead(data)
    }
}
