import Foundation
import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// The connect flows: OAuth 2.0 (authorization code with PKCE, client credentials), OAuth
/// 1.0a (three-legged), input forms for `client-credentials` auth, and `switchyard-token`
/// connections that need nothing from the user. Each flow may run for a headless connection
/// request (`POST /connection-requests`), whose status then follows it.
package struct ConnectFlow: Sendable {
    /// Integrations, connector packages, OAuth settings and flows.
    let resolver: ConnectionResolver
    /// Where credential refreshes are scheduled.
    let jobs: any JobStore
    /// Tells the SaaS about new and reconnected connections.
    let webhooks: WebhookNotifier
    /// Creates the flow instances a new connection gets.
    let flowInstances: FlowInstances
    /// Signs OAuth `state` and connection request links.
    let state: SignedState
    /// Where providers redirect: `<BASE_OAUTH_CALLBACK_URI>/oauth-callback`.
    let callbackURL: String
    /// `BASE_URI`: where `/connect` links of connection requests point when there is no UI.
    let baseURL: String
    /// The end-user UI (`ENGINE_UI_URI`): where connection request links open, when known.
    let uiURL: String?
    /// Logs flows that fail and connections made.
    let logger: Logger

    /// Connections and connection requests.
    var records: any RecordStore { resolver.records }

    /// Starts a connect flow for the tenant of `scope`.
    /// - Returns: Where to send the browser (the provider's authorization page, or the final redirect).
    package func start(_ request: ConnectRequest, scope: StoreScope) async throws(SwitchyardError) -> ConnectFinish {
        guard scope.tenantID != nil else {
            throw SwitchyardError(.badRequest, "connecting needs a tenant token (a connection belongs to one tenant)")
        }
        return try await start(request, scope: scope, pending: nil)
    }

    /// Starts the flow of a connection request, from the link `POST /connection-requests` gave.
    /// - Parameters:
    ///   - token: The link's `requestToken`, which names the request and its tenant.
    ///   - input: What the user typed into the connect form, once they did.
    package func start(requestToken token: String, input: [String: JSONValue]?) async throws(SwitchyardError) -> ConnectFinish {
        let payload: [String: JSONValue]
        do {
            payload = try state.verify(token)
        } catch {
            // The link's token is a signed state; say what the user has: a broken or old link.
            let reason = error.data["state"] == "expired" ? "expired" : "malformed"
            throw SwitchyardError(
                .badRequest, "this connection link is broken or has expired; ask for a new one", data: ["requestToken": reason])
        }
        guard let id = payload["q"]?.stringValue, let workspace = payload["w"]?.stringValue, let tenant = payload["t"]?.stringValue else {
            throw SwitchyardError(.badRequest, "the connection request link is malformed", data: ["requestToken": "malformed"])
        }
        let scope = StoreScope.tenant(tenant, in: workspace)
        let pending = try await records.get(.connectionRequests, id: id, scope: scope)
        let status = pending.document["status"]?.stringValue
        if status == "success" {
            throw SwitchyardError(.badRequest, "this connection request is already complete", data: ["requestId": "already used"])
        }
        if let expiresAt = pending.document["expiresAt"]?.numberValue, expiresAt < Date().timeIntervalSince1970 {
            throw SwitchyardError(.badRequest, "this connection request expired; create a new one", data: ["requestId": "expired"])
        }
        var request = ConnectRequest(document: pending.document)
        request.input = input
        return try await start(request, scope: scope, pending: pending)
    }

    private func start(_ request: ConnectRequest, scope: StoreScope, pending: Record?) async throws(SwitchyardError) -> ConnectFinish {
        do throws(SwitchyardError) {
            return try await begin(request, scope: scope, pending: pending)
        } catch {
            if let pending { await settle(pending.id, scope: scope, status: "error", error: error.message) }
            throw error
        }
    }

    /// What a connect request names, checked: the integration, its connector package, the auth
    /// option, and (for a re-auth) that the connection belongs to that integration.
    func target(
        of request: ConnectRequest, scope: StoreScope
    ) async throws(SwitchyardError) -> (
        integration: Record, package: ConnectorPackage, optionKey: String?, option: ConnectorAuthOption
    ) {
        let integration = try await resolver.integrationRecord(request.integration, scope: scope)
        let (_, package) = try await resolver.loader.package(for: integration, scope: scope)
        let (optionKey, option) = try ConnectionResolver.option(package.auth, key: request.authOptionKey)
        if let connectionID = request.connectionID {
            let existing = try await records.get(.connections, id: connectionID, scope: scope)
            guard existing.parentID == integration.id else {
                throw SwitchyardError(
                    .badRequest, "connection \(connectionID) belongs to another integration", data: ["connectionId": "belongs to another integration"]
                )
            }
        }
        return (integration, package, optionKey, option)
    }

    private func begin(_ request: ConnectRequest, scope: StoreScope, pending: Record?) async throws(SwitchyardError) -> ConnectFinish {
        let (integration, package, optionKey, option) = try await target(of: request, scope: scope)
        var document = request.document
        document["status"] = "pending"
        document["integrationId"] = .string(integration.id)
        document["authType"] = .string(option.type.rawValue)
        document["expiresAt"] = pending?.document["expiresAt"] ?? .number(Date().timeIntervalSince1970 + 600)
        if let optionKey { document["authOptionKey"] = .string(optionKey) }
        let tags = ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""]
        switch option.type {
        case .clientCredentials, .none, .switchyardToken:
            let fields = ConnectInputField.fields(of: option.inputSchema)
            guard let input = request.input ?? (fields.isEmpty ? [:] : nil) else { return .inputForm(title: package.spec.name, fields: fields) }
            let credentials = try await resolver.credentials(from: input, option: option, integration: integration, scope: scope)
            let variables: JSONValue = [
                "credentials": credentials, "connectorParameters": integration.integrationParameters.json, "parameters": .object(input),
            ]
            try await resolver.test(option, variables: variables, scope: scope, tags: tags)
            let connection = try await store(credentials: credentials, expiresAt: nil, integration: integration, request: document, scope: scope)
            return await finished(request, connectionID: connection.id, pending: pending?.id, scope: scope)
        case .oauth2:
            let oauth2 = try await resolver.oauth2Config(option, integration: integration, scope: scope)
            let flow = try resolver.oauth2Flow(oauth2, integration: integration, scope: scope)
            if oauth2.grantType == .clientCredentials {
                let outcome = await flow.clientCredentials()
                let connection = try await store(outcome, option: option, integration: integration, request: document, scope: scope)
                return await finished(request, connectionID: connection.id, pending: pending?.id, scope: scope)
            }
            let pkce = oauth2.skipPkce ? nil : PKCE()
            let id = try await save(
                pending: pending, document: document, secret: ["codeVerifier": pkce.map { .string($0.verifier) } ?? .null], integration: integration,
                scope: scope)
            return .redirect(try flow.authorizationURL(redirectURI: callbackURL, state: signedState(id, scope: scope), pkce: pkce))
        case .oauth1:
            let oauth1 = try await resolver.oauth1Config(option, integration: integration, scope: scope)
            let flow = try resolver.oauth1Flow(oauth1, integration: integration, scope: scope)
            let id = pending?.id ?? UUID().uuidString.lowercased()
            let callback = PercentEncoding.appending(callbackURL, [("state", signedState(id, scope: scope))])
            let (token, secret) = try await flow.requestToken(callback: callback)
            document["oauth1Token"] = .string(token)
            _ = try await save(
                pending: pending, id: id, document: document, secret: ["oauth1TokenSecret": .string(secret)], integration: integration, scope: scope)
            return .redirect(try flow.authorizationURL(token: token))
        }
    }

    /// Saves a flow's pending request: the connection request it runs for, or a new one.
    private func save(
        pending: Record?, id: String? = nil, document: [String: JSONValue], secret: JSONValue, integration: Record, scope: StoreScope
    ) async throws(SwitchyardError) -> String {
        if let pending {
            _ = try await records.update(.connectionRequests, id: pending.id, scope: scope, expectedRevision: nil) { record in
                record.document = .object((record.document.objectValue ?? [:]).merging(document) { $1 })
                record.secret = secret
            }
            return pending.id
        }
        return try await records.insert(
            NewRecord(
                kind: .connectionRequests, id: id, tenantID: scope.tenantID, parentID: integration.id, document: .object(document), secret: secret),
            scope: scope
        ).id
    }

    private func signedState(_ requestID: String, scope: StoreScope) -> String {
        state.sign(
            ["r": .string(requestID), "w": .string(scope.workspaceID), "t": .string(scope.tenantID ?? "")],
            expiresAt: Date().timeIntervalSince1970 + 600)
    }
}
