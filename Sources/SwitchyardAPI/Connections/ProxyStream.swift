import NIOCore
import SwitchyardCore
import SwitchyardEngine
import Synchronization

/// Carries a streamed upstream response out of ``ConnectionSender/stream(connectionID:scope:call:_:)``,
/// whose body may only be read inside its closure, to a response body written after the route
/// returns: the head is handed over as soon as it arrives, then each chunk as it is read. The
/// upstream is read at its own pace (the chunks wait in memory, within the response size
/// limit); a client that goes away cancels the upstream read.
enum ProxyStream {
    /// Starts the exchange and waits for the response head.
    /// - Parameter exchange: Runs the streamed request, handing `consume` to the sender.
    /// - Returns: The head, and the body's chunks.
    /// - Throws: What the exchange threw before a head arrived.
    static func start(
        _ exchange:
            @escaping @Sendable (@escaping @Sendable (OutboundResponseHead, ConnectionSender.StreamedBody) async throws -> Void)
            async throws(SwitchyardError) -> Void
    ) async throws(SwitchyardError) -> (OutboundResponseHead, AsyncThrowingStream<ByteBuffer, any Error>) {
        let (chunks, sink) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let waiter = HeadWaiter()
        let head: OutboundResponseHead
        do {
            head = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<OutboundResponseHead, any Error>) in
                waiter.slot.withLock { $0 = continuation }
                let task = Task {
                    do throws(SwitchyardError) {
                        try await exchange { head, body in
                            waiter.slot.withLock { $0.take() }?.resume(returning: head)
                            switch body {
                            case .streaming(let chunks):
                                for try await chunk in chunks { sink.yield(chunk) }
                            case .read(let bytes):
                                sink.yield(ByteBuffer(bytes: bytes))
                            }
                            sink.finish()
                        }
                        // Nothing was consumed (cannot happen with a successful exchange), end anyway.
                        sink.finish()
                    } catch {
                        if let pending = waiter.slot.withLock({ $0.take() }) { pending.resume(throwing: error) } else { sink.finish(throwing: error) }
                    }
                }
                sink.onTermination = { termination in
                    if case .cancelled = termination { task.cancel() }
                }
            }
        } catch let error as SwitchyardError {
            throw error
        } catch {
            throw SwitchyardError(.internal, "the proxied request failed", internalDetail: String(describing: type(of: error)))
        }
        return (head, chunks)
    }
}

/// Where the route waits for the response head; whoever takes the continuation resumes it.
private final class HeadWaiter: Sendable {
    let slot = Mutex<CheckedContinuation<OutboundResponseHead, any Error>?>(nil)
}
