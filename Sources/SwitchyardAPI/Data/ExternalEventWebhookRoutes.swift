import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP

/// `GET|POST /webhooks/external-events/{subscriptionId}`: where providers deliver the webhooks a
/// data source instance subscribed to. No token — the subscription id (which names its
/// workspace and is random) and, when the connector says how, the delivery's signature are the
/// proof; a challenge in the query (the connector's `challengeQuery`) is echoed as text.
struct ExternalEventWebhookRoutes: Sendable {
    /// The subscriptions.
    let subscriptions: ExternalEventSubscriptions

    /// Most bytes of one delivery.
    static let maxBody = 4 << 20

    /// The endpoints, for the OpenAPI document.
    static let endpoints: [OpenAPIDocument.Operational] = ["GET", "POST"].map { method in
        .init(
            method: method, path: "/webhooks/external-events/{subscriptionId}",
            summary: "A provider's webhook delivery for a data source's subscription (no token; signed when the connector says how)",
            contentType: "application/json",
            responses: [
                "200": "{received, flowRunIds}, the connector's response, or the challenge echoed as text",
                "400": "the connector could not handle the delivery", "401": "the signature is missing or wrong",
                "404": "no such subscription, or it has ended", "413": "the delivery is too large", "429": "too many requests",
            ]
        )
    }

    /// Registers the routes on a group that needs no token.
    func register(on group: RouterGroup<SwitchyardRequestContext>, timeLimit: RequestTimeLimit) {
        let subscriptions = subscriptions
        for method in [HTTPRequest.Method.get, .post] {
            group.on("/webhooks/external-events/{subscriptionId}", method: method) { request, context in
                try await timeLimit.run {
                    let id = context.parameters.get("subscriptionId") ?? ""
                    let buffer = try await request.body.collect(upTo: Self.maxBody)
                    var headers: [String: String] = [:]
                    for field in request.headers { headers[field.name.canonicalName] = field.value }
                    var query: [String: String] = [:]
                    for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
                    let answer = try await subscriptions.receive(subscriptionID: id, body: Array(buffer: buffer), headers: headers, query: query)
                    var fields = HTTPFields()
                    let text = answer.isText ? (answer.body.stringValue ?? "") : answer.body.jsonText
                    fields[.contentType] = answer.isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8"
                    return Response(
                        status: HTTPResponse.Status(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
                }
            }
        }
    }
}
