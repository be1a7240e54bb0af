import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP

/// `ANY /connections/{id}/proxy/{path or full URL}`: forwards a request to the external API with
/// the connection's auth and streams the answer back. It is registered in the REST API's
/// group, so authentication, rate limits and the time limit apply as to every operation.
struct ProxyRoutes: Sendable {
    /// Sends the request as the connection.
    let sender: ConnectionSender

    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]

    /// The endpoints, for the OpenAPI document.
    static let endpoints: [OpenAPIDocument.Operational] = methods.map { method in
        .init(
            method: method.rawValue, path: "/connections/{id}/proxy/{path}",
            summary: "Forward a request to the external API with the connection's auth",
            contentType: "*/*",
            parameters: [
                ("id", "the connection's id"), ("path", "a path under the connector's base URI, or a full URL on a host the connector allows"),
            ],
            responses: ["default": "the external API's answer, or a JSON error of Switchyard's"], secured: true
        )
    }

    /// Infrastructure headers a proxied request never forwards.
    static let strippedRequestHeaders: Set<String> = [
        "host", "authorization", "content-length", "cookie", "connection", "transfer-encoding", "keep-alive", "upgrade", "te", "proxy-authorization",
    ]
    /// Hop-by-hop headers an upstream response never passes on.
    static let strippedResponseHeaders: Set<String> = ["connection", "transfer-encoding", "content-length", "keep-alive", "set-cookie"]

    /// Registers the routes on the pipeline's API group.
    func register(on group: RouterGroup<SwitchyardRequestContext>, timeLimit: RequestTimeLimit) {
        let routes = self
        for method in Self.methods {
            group.on("/connections/:id/proxy/**", method: method) { request, context in
                try await timeLimit.run { try await routes.proxy(request, context: context) }
            }
        }
    }

    private func proxy(_ request: Request, context: SwitchyardRequestContext) async throws -> Response {
        guard let caller = context.caller else { throw SwitchyardError(.notAuthenticated, "send a token as Authorization: Bearer <token>") }
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
        let call = ExternalCall(
            method: HTTPMethod(rawValue: request.method.rawValue), target: target, query: request.uri.query, headers: headers, body: bytes)
        let sender = sender
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
}
