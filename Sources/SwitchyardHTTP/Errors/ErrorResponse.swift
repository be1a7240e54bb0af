import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore

/// Builds JSON error responses in the shape of ``APIErrorBody``.
package enum ErrorResponse {
    /// Renders an error as a response with the mapped status and, where set, `Retry-After`.
    /// - Parameter error: The error to render.
    /// - Returns: A JSON response.
    package static func make(_ error: SwitchyardError) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let retryAfter = error.retryAfterSeconds {
            headers[.retryAfter] = String(retryAfter)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(APIErrorBody(error))) ?? Data(#"{"type":"internal","key":"internal"}"#.utf8)
        return Response(
            status: HTTPStatusMapping.status(for: error.key),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
