import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore

/// Refuses request bodies over a size limit with 413 `too_large`.
///
/// A declared `Content-Length` over the limit is refused before any byte of the body is read.
/// A chunked body is counted as it streams, and reading past the limit throws the same error.
package struct RequestSizeLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The largest accepted body, in bytes.
    package let maxBytes: Int

    /// Creates the middleware.
    /// - Parameter maxBytes: The largest accepted body, in bytes.
    package init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes {
            throw tooLarge
        }
        var request = request
        let limit = maxBytes
        let error = tooLarge
        let original = request.body
        request.body = RequestBody(asyncSequence: LimitedBody(base: original, limit: limit, error: error))
        return try await next(request, context)
    }

    private var tooLarge: SwitchyardError {
        SwitchyardError(.tooLarge, "request body is larger than \(maxBytes) bytes", data: ["maxBytes": String(maxBytes)])
    }
}

/// A body stream that throws once more than `limit` bytes have passed through it.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int
    let error: SwitchyardError

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        let error: SwitchyardError
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            seen += chunk.readableBytes
            if seen > limit { throw error }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit, error: error)
    }
}
