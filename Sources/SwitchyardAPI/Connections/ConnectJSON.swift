import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP

/// The JSON answers of `/connect` for a client that draws its own screens (the end-user UI):
/// exactly one of `{"form": …}`, `{"redirect": url}` (open the provider's page) or
/// `{"connectionId": id}`; a failure is the API's error JSON with its status.
enum ConnectJSON {
    /// The answer to a connect step. A finished connection is answered with its id, not sent on
    /// to `redirectUri`, since the client asked in JSON.
    /// - Throws: The failure, as the error the client reads.
    static func answer(_ finish: ConnectFinish) throws(SwitchyardError) -> Response {
        switch finish {
        case .redirect(let location):
            return json(["redirect": .string(location)])
        case .connected(let id, _):
            return json(["connectionId": .string(id)])
        case .failed(let key, let message):
            throw SwitchyardError(SwitchyardError.Key(rawValue: key) ?? .badRequest, message)
        case .inputForm(let title, let fields):
            let properties = fields.map { field -> JSONValue in
                [
                    "name": .string(field.name), "title": .string(field.title), "required": .bool(field.required),
                    "secret": .bool(field.secret), "schema": field.schema,
                ]
            }
            return json(["form": ["title": .string(title), "fields": .array(properties)]])
        }
    }

    private static func json(_ value: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.jsonText)))
    }
}
