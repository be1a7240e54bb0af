import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardHTTP

/// `GET /embedding/{workspaceKey}`: the origins whose pages may embed a workspace's end-user UI,
/// for a `ui` process that runs without the api role (it must know them before the page, and
/// the token, arrive). No token: the answer is what the UI's `frame-ancestors` header shows
/// anyway.
struct EmbeddingRoutes: Sendable {
    /// The workspaces.
    let directory: WorkspaceDirectory

    /// The endpoint, for the OpenAPI document.
    static let endpoints: [OpenAPIDocument.Operational] = [
        .init(
            method: "GET", path: "/embedding/{workspaceKey}",
            summary: "The origins allowed to embed a workspace's end-user UI (no token; what its frame-ancestors shows)",
            contentType: "application/json",
            responses: ["200": "{workspaceKey, uiAllowedOrigins}", "404": "no workspace has the key", "429": "too many requests"]
        )
    ]

    /// Registers the route on a group that needs no token.
    func register(on group: RouterGroup<SwitchyardRequestContext>, timeLimit: RequestTimeLimit) {
        let directory = directory
        group.get("/embedding/{workspaceKey}") { _, context in
            try await timeLimit.run {
                let key = context.parameters.get("workspaceKey") ?? ""
                let workspace = try await directory.workspace(key: key)
                let body: JSONValue = [
                    "workspaceKey": .string(workspace.key), "uiAllowedOrigins": .array(workspace.uiAllowedOrigins.map(JSONValue.string)),
                ]
                var headers = HTTPFields()
                headers[.contentType] = "application/json; charset=utf-8"
                headers[.cacheControl] = "no-cache"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body.jsonText)))
            }
        }
    }
}
