import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// The status line and headers of a streamed response (``OutboundHTTPClient/stream(_:_:)``).
package struct OutboundResponseHead: Sendable {
    /// The status.
    package var status: HTTPResponseStatus
    /// The response headers.
    package var headers: HTTPHeaders
    /// The URL that answered (differs from the request's after redirects).
    package var url: String
}

/// The body of a streamed response, chunk by chunk as it arrives. Iterating past the response
/// limit throws `too_large`; a lost connection throws `unavailable`; the request's deadline
/// still applies. Iterate it once, inside the closure given to ``OutboundHTTPClient/stream(_:_:)``.
package struct OutboundResponseBody: AsyncSequence, Sendable {
    /// A chunk of the body.
    package typealias Element = ByteBuffer

    let body: HTTPClientResponse.Body
    let record: AttemptRecord
    let maxBytes: Int
    let host: String
    let hostHeader: String

    /// Iterates the chunks.
    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let body: OutboundResponseBody
        var received = 0

        /// The next chunk, or `nil` at the end.
        package mutating func next() async throws -> ByteBuffer? {
            let chunk: ByteBuffer?
            do {
                chunk = try await base.next()
            } catch let error as SwitchyardError {
                throw error
            } catch is CancellationError {
                throw SwitchyardError(.unavailable, "the request to \(body.host) was cancelled", data: ["host": body.host])
            } catch {
                throw SwitchyardError(
                    .unavailable, "the connection to \(body.hostHeader) was lost before the response ended",
                    data: ["host": body.host], internalDetail: String(describing: type(of: error)))
            }
            guard let chunk else { return nil }
            received += chunk.readableBytes
            guard received <= body.maxBytes else { throw OutboundHTTPClient.tooLarge(host: body.host, maxBytes: body.maxBytes) }
            body.record.append(chunk)
            return chunk
        }
    }

    /// Starts iterating.
    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: body.makeAsyncIterator(), body: self)
    }
}
