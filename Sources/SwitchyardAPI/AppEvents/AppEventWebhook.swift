import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardHTTP

/// `POST /webhooks/app-event-types/{workspaceKey}/{typeId}/{secret}`: the workspace-wide
/// address of an app event type, where the SaaS posts events with no admin token (see
/// ``AppEventIntake``). A tenant token, when sent, names the tenant; an invalid one is refused.
/// Every refusal is logged (without the secret).
struct AppEventWebhook: Sendable {
    /// What receives the events.
    let intake: AppEventIntake

    /// The endpoint, for the OpenAPI document.
    static let endpoints: [OpenAPIDocument.Operational] = [
        .init(
            method: "POST", path: "\(AppEventType.webhookPrefix)/{workspaceKey}/{typeId}/{secret}",
            summary: "Post an event of an app event type (the webhookUri of the type; no token needed, a tenant token picks the tenant)",
            contentType: "application/json",
            parameters: [
                ("workspaceKey", "the workspace's key"), ("typeId", "the app event type's id"), ("secret", "the type's webhook secret"),
            ],
            responses: [
                "202": "the stored event: {id, status, tenantId, flowRunIds, …}",
                "400": "the body is not a JSON object, fails the type's schema (data names the field), or names no tenant (data.tenant)",
                "401": "the token is not valid", "403": "the token is another workspace's",
                "404": "no app event type has this address", "409": "the type's schema is not valid", "413": "the body is too large",
                "429": "a flow's queue is full; retry after Retry-After seconds", "503": "flows are not set up in this process",
                "504": "the request took longer than its limit",
            ]
        )
    ]

    /// Registers the route on a group where a token is optional.
    func register(on group: RouterGroup<SwitchyardRequestContext>, timeLimit: RequestTimeLimit) {
        let intake = intake
        group.post("\(AppEventType.webhookPrefix)/{workspaceKey}/{typeId}/{secret}") { request, context in
            try await timeLimit.run {
                let typeID = context.parameters.get("typeId") ?? ""
                do {
                    if let failure = context.authenticationFailure { throw failure }
                    let buffer = try await request.body.collect(upTo: context.maxUploadSize)
                    let event = try await intake.receive(
                        workspaceKey: Self.decoded(context.parameters.get("workspaceKey")), typeID: Self.decoded(typeID),
                        secret: Self.decoded(context.parameters.get("secret")), caller: context.caller, body: Array(buffer.readableBytesView)
                    )
                    var headers = HTTPFields()
                    headers[.contentType] = "application/json; charset=utf-8"
                    return Response(status: .accepted, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: event.jsonBytes)))
                } catch let error as SwitchyardError {
                    context.logger.notice(
                        "app event refused",
                        metadata: ["appEventType": "\(typeID)", "error.key": "\(error.key)", "error.message": "\(error.message)"])
                    throw error
                }
            }
        }
    }

    private static func decoded(_ part: String?) -> String {
        part.flatMap { $0.removingPercentEncoding ?? $0 } ?? ""
    }
}
