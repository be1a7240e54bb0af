import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP

/// The pages and redirects the browser connect flow answers with.
enum ConnectPages {
    /// The answer to a finished connect step: a redirect, or a page saying how it ended.
    static func answer(_ finish: ConnectFinish) -> Response {
        switch finish {
        case .redirect(let location), .connected(_, redirect: let location?):
            var headers = HTTPFields()
            headers[.location] = location
            headers[.cacheControl] = "no-store"
            return Response(status: .found, headers: headers)
        case .connected(let id, redirect: nil):
            return page("Connected", "The connection \(id) is ready. You can close this window.", status: .ok)
        case .failed(_, let message):
            return page("Connection failed", message, status: .badRequest)
        case .inputForm(let title, let inputs):
            return form(title: title, inputs: inputs, carrying: [:])
        }
    }

    /// The connect form of an input-based auth: one field per `inputSchema` property, the
    /// connect parameters (token included) carried as hidden fields, posted back to `/connect`.
    static func form(title: String, inputs: [ConnectInputField], carrying fields: [String: String]) -> Response {
        let hidden = fields.sorted { $0.key < $1.key }.map { "<input type=\"hidden\" name=\"\(escape($0.key))\" value=\"\(escape($0.value))\">" }
        let visible = inputs.map { field in
            let type = field.secret ? "password" : "text"
            let required = field.required ? " required" : ""
            return "<p><label>\(escape(field.title)) <input type=\"\(type)\" name=\"input.\(escape(field.name))\"\(required)></label></p>"
        }
        let text = """
            <!doctype html><html><head><meta charset="utf-8"><title>Connect \(escape(title))</title></head><body><h1>Connect \(escape(title))</h1>
            <form method="post" action="/connect">\((hidden + visible).joined(separator: "\n"))\
            <p><button type="submit">Connect</button></p></form></body></html>
            """
        return html(text, status: .ok)
    }

    /// A short page with a title and one paragraph.
    static func page(_ title: String, _ text: String, status: HTTPResponse.Status) -> Response {
        html(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>\(escape(title))</title></head>"
                + "<body><h1>\(escape(title))</h1><p>\(escape(text))</p></body></html>",
            status: status
        )
    }

    /// The `errorData` parameter of an error redirect: the error's key and message as JSON.
    static func errorData(_ error: SwitchyardError) -> String {
        JSONValue.object(["key": .string(error.key.rawValue), "message": .string(error.message)]).jsonText
    }

    /// Text with the HTML special characters escaped.
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    private static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
