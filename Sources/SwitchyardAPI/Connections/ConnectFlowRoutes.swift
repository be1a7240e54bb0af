import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// The browser-facing connect flow and the API proxy, which are not JSON operations of the
/// route table: `GET|POST /connect` (the tenant token in `token` or the Authorization header)
/// redirects to the provider, `GET /oauth-callback` finishes and redirects to `redirectUri`,
/// and `ANY /connections/{id}/proxy/{path or full URL}` forwards a request with the
/// connection's auth.
package struct ConnectFlowRoutes: Sendable {
    let flow: ConnectFlow
    let sender: ConnectionSender
    let authenticate: @Sendable (String) async throws(SwitchyardError) -> Caller

    /// The endpoints, for the OpenAPI document (method, path, summary, media type).
    package static let endpoints: [(method: String, path: String, summary: String, contentType: String)] = [
        ("GET", "/connect", "Start connecting: redirects to the provider's authorization page (tenant token in token= or Authorization, or a connection request's requestToken)", "text/html"),
        ("POST", "/connect", "Start connecting, with the same parameters in a form or JSON body", "text/html"),
        ("GET", "/oauth-callback", "Where OAuth providers send the user back; redirects to redirectUri with connectionId or error", "text/html"),
    ] + proxyMethods.map { ($0.rawValue, "/connections/{id}/proxy/{path}", "Forward a request to the external API with the connection's auth", "*/*") }

    static let proxyMethods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]

    /// Infrastructure headers a proxied request never forwards.
    static let strippedRequestHeaders: Set<String> = [
        "host", "authorization", "content-length", "cookie", "connection", "transfer-encoding", "keep-alive", "upgrade", "te", "proxy-authorization",
    ]
    /// Hop-by-hop headers an upstream response never passes on.
    static let strippedResponseHeaders: Set<String> = ["connection", "transfer-encoding", "content-length", "keep-alive", "set-cookie"]

    func register(on router: Router<SwitchyardRequestContext>) {
        let routes = self
        router.get("/connect") { request, context in try await routes.connect(request, context: context) }
        router.post("/connect") { request, context in try await routes.connect(request, context: context) }
        router.get("/oauth-callback") { request, _ in try await routes.callback(request) }
        for method in Self.proxyMethods {
            router.on("/connections/:id/proxy/**", method: method) { request, context in try await routes.proxy(request, context: context) }
        }
    }

    private func connect(_ request: Request, context: SwitchyardRequestContext) async throws -> Response {
        var fields: [String: String] = [:]
        var input: [String: JSONValue]?
        for (name, value) in request.uri.queryParameters { fields[String(name)] = String(value) }
        if request.method == .post {
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            if case .object(let members)? = try? JSONValue.parse(text) {
                for (name, value) in members where name != "input" { fields[name] = value.stringValue ?? value.jsonText }
                if case .object(let values)? = members["input"] { input = values }
            } else {
                for pair in text.split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
                    guard parts.count == 2 else { continue }
                    // The connect form sends what the user typed as input.<field>.
                    if parts[0].hasPrefix("input.") {
                        input = input ?? [:]
                        input?[String(parts[0].dropFirst(6))] = .string(parts[1])
                    } else {
                        fields[parts[0]] = parts[1]
                    }
                }
            }
        }
        if let requestToken = fields["requestToken"] {
            // A connection request's link: the request names the tenant and the parameters.
            let finish = try await flow.start(requestToken: requestToken, input: input)
            if case .inputForm(let title, let inputs) = finish { return Self.form(title: title, inputs: inputs, carrying: ["requestToken": requestToken]) }
            return Self.answer(finish)
        }
        let redirect = fields["redirectUri"]
        do throws(SwitchyardError) {
            let token = fields["token"] ?? Self.bearer(request)
            guard let token else { throw SwitchyardError(.notAuthenticated, "send the tenant token as token= or Authorization: Bearer <token>") }
            let caller = try await authenticate(token)
            guard let integration = fields["integrationId"] ?? fields["integrationKey"] else {
                throw SwitchyardError(.badRequest, "integrationKey or integrationId is required", data: ["integrationKey": "is required"])
            }
            var connect = ConnectRequest(integration: integration)
            connect.connectionID = fields["connectionId"]
            connect.name = fields["name"]
            connect.authOptionKey = fields["authOptionKey"]
            connect.allowMultipleConnections = fields["allowMultipleConnections"] == "true"
            connect.customState = fields["customState"]
            connect.redirectURI = redirect
            connect.input = input
            if let redirect, URL(string: redirect)?.scheme.map({ ["http", "https"].contains($0) }) != true {
                throw SwitchyardError(.badRequest, "redirectUri must be an http or https URL", data: ["redirectUri": "must be an http(s) URL"])
            }
            let finish = try await flow.start(connect, scope: caller.scope)
            if case .inputForm(let title, let inputs) = finish { return Self.form(title: title, inputs: inputs, carrying: fields) }
            return Self.answer(finish)
        } catch {
            guard let redirect, error.key != .badRequest || error.data["redirectUri"] == nil else { throw error }
            return Self.answer(.redirect(PercentEncoding.appending(redirect, [("error", error.message), ("errorData", Self.errorData(error))])))
        }
    }

    private func callback(_ request: Request) async throws -> Response {
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        return Self.answer(try await flow.complete(query: query))
    }

    private func proxy(_ request: Request, context: SwitchyardRequestContext) async throws -> Response {
        guard let token = Self.bearer(request) else { throw SwitchyardError(.notAuthenticated, "send a token as Authorization: Bearer <token>") }
        let caller = try await authenticate(token)
        let id = context.parameters.get("id") ?? ""
        // The target keeps its percent-encoding; a full URL's `//` may have been merged by the client.
        let path = request.uri.path
        guard let range = path.range(of: "/proxy/") else { throw SwitchyardError(.badRequest, "the proxy path is missing") }
        var target = String(path[range.upperBound...])
        for scheme in ["https:/", "http:/"] where target.hasPrefix(scheme) && !target.hasPrefix(scheme + "/") {
            target = scheme + "/" + target.dropFirst(scheme.count)
        }
        var headers = HTTPHeaders()
        for field in request.headers {
            let name = field.name.canonicalName
            if Self.strippedRequestHeaders.contains(name) || name.hasPrefix("x-forwarded-") || name.hasPrefix("cf-") { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let bytes = body.readableBytes > 0 ? Array(body.readableBytesView) : nil
        let call = ExternalCall(method: HTTPMethod(rawValue: request.method.rawValue), target: target, query: request.uri.query, headers: headers, body: bytes)
        let (head, chunks) = try await ProxyStream.start { consume throws(SwitchyardError) in
            try await sender.stream(connectionID: id, scope: caller.scope, call: call, consume)
        }
        var fields = HTTPFields()
        for (name, value) in head.headers where !Self.strippedResponseHeaders.contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: .init(code: Int(head.status.code)), headers: fields,
            body: ResponseBody { writer in
                for try await chunk in chunks { try await writer.write(chunk) }
                try await writer.finish(nil)
            }
        )
    }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    static func errorData(_ error: SwitchyardError) -> String {
        JSONValue.object(["key": .string(error.key.rawValue), "message": .string(error.message)]).jsonText
    }

    static func answer(_ finish: ConnectFinish) -> Response {
        switch finish {
        case .redirect(let location):
            var headers = HTTPFields()
            headers[.location] = location
            headers[.cacheControl] = "no-store"
            return Response(status: .found, headers: headers)
        case .connected(let id):
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
            "<p><label>\(escape(field.title)) <input type=\"\(field.secret ? "password" : "text")\" name=\"input.\(escape(field.name))\"\(field.required ? " required" : "")></label></p>"
        }
        let html = """
            <!doctype html><html><head><meta charset="utf-8"><title>Connect \(escape(title))</title></head><body><h1>Connect \(escape(title))</h1>
            <form method="post" action="/connect">\((hidden + visible).joined(separator: "\n"))<p><button type="submit">Connect</button></p></form></body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    static func page(_ title: String, _ text: String, status: HTTPResponse.Status) -> Response {
        let html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>\(escape(title))</title></head><body><h1>\(escape(title))</h1><p>\(escape(text))</p></body></html>"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
