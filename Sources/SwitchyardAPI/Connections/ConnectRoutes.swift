import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP

/// The browser-facing connect flow: `GET|POST /connect` (the tenant token in `token` or the
/// Authorization header, checked by the pipeline's authentication) redirects to the provider or
/// shows an input form, and `GET /oauth-callback` finishes and redirects to `redirectUri`.
/// With `Accept: application/json` (the end-user UI) `/connect` answers JSON instead: the form
/// to show, the provider URL to open, or the new connection's id (see ``ConnectJSON``).
struct ConnectRoutes: Sendable {
    /// Runs the connect flows.
    let flow: ConnectFlow

    /// The endpoints, for the OpenAPI document.
    static let endpoints: [OpenAPIDocument.Operational] = [
        .init(
            method: "GET", path: "/connect",
            summary: "Start connecting: redirects to the provider's authorization page (tenant token in token= or Authorization, "
                + "or a connection request's requestToken)",
            contentType: "text/html", responses: browserResponses
        ),
        .init(
            method: "POST", path: "/connect", summary: "Start connecting, with the same parameters in a form or JSON body", contentType: "text/html",
            responses: browserResponses),
        .init(
            method: "GET", path: "/oauth-callback",
            summary: "Where OAuth providers send the user back; redirects to redirectUri with connectionId or error",
            contentType: "text/html", responses: browserResponses
        ),
    ]

    /// What a browser endpoint may answer: a page, a redirect, or an error page or JSON error.
    static let browserResponses: [String: String] = [
        "200": "a page (the connect form, or the end of the flow)", "302": "a redirect to the provider or to redirectUri",
        "400": "the flow could not go on (a page or a JSON error saying why)", "401": "no valid tenant token",
        "404": "no such integration or connection",
        "409": "the integration is not ready", "429": "too many requests",
    ]

    /// Registers the routes on the pipeline's browser group.
    func register(on group: RouterGroup<SwitchyardRequestContext>, timeLimit: RequestTimeLimit) {
        let routes = self
        for method in [HTTPRequest.Method.get, .post] {
            group.on("/connect", method: method) { request, context in try await timeLimit.run { try await routes.connect(request, context: context) }
            }
        }
        group.get("/oauth-callback") { request, _ in try await timeLimit.run { try await routes.callback(request) } }
    }

    private func connect(_ request: Request, context: SwitchyardRequestContext) async throws -> Response {
        var request = request
        let read = try await RequestFields.read(&request)
        let (fields, input) = (read.fields, read.input)
        let json = request.headers[.accept]?.contains("application/json") == true
        if let requestToken = fields["requestToken"] {
            // A connection request's link: the request names the tenant and the parameters.
            let finish = try await flow.start(requestToken: requestToken, input: input)
            if json { return try ConnectJSON.answer(finish) }
            if case .inputForm(let title, let inputs) = finish {
                return ConnectPages.form(title: title, inputs: inputs, carrying: ["requestToken": requestToken])
            }
            return ConnectPages.answer(finish)
        }
        let redirect = fields["redirectUri"]
        do throws(SwitchyardError) {
            if let failure = context.authenticationFailure { throw failure }
            guard let caller = context.caller else {
                throw SwitchyardError(.notAuthenticated, "send the tenant token as token= or Authorization: Bearer <token>")
            }
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
            if json { return try ConnectJSON.answer(finish) }
            if case .inputForm(let title, let inputs) = finish { return ConnectPages.form(title: title, inputs: inputs, carrying: fields) }
            return ConnectPages.answer(finish)
        } catch {
            guard !json, let redirect, error.key != .badRequest || error.data["redirectUri"] == nil else { throw error }
            return ConnectPages.answer(
                .redirect(PercentEncoding.appending(redirect, [("error", error.message), ("errorData", ConnectPages.errorData(error))])))
        }
    }

    private func callback(_ request: Request) async throws -> Response {
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        return ConnectPages.answer(try await flow.complete(query: query))
    }
}
