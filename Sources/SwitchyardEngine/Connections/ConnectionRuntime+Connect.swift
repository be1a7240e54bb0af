import Foundation
import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// The connect flows: OAuth 2.0 (authorization code with PKCE, client credentials), OAuth
/// 1.0a (three-legged), input forms for `client-credentials` auth, and `switchyard-token`
/// connections that need nothing from the user. Each flow may run for a headless connection
/// request (`POST /connection-requests`), whose status then follows it.
extension ConnectionRuntime {
    /// What `/connect` was asked for.
    package struct ConnectRequest: Sendable {
        package var integration: String
        package var connectionID: String?
        package var name: String?
        package var authOptionKey: String?
        package var allowMultipleConnections = false
        package var customState: String?
        package var redirectURI: String?
        /// What the user typed in, for auth types that take input (`client-credentials`).
        package var input: [String: JSONValue]?

        /// A connect request for an integration (id or key).
        package init(integration: String) {
            self.integration = integration
        }

        /// The request's parameters as a connection request stores them.
        var document: [String: JSONValue] {
            var document: [String: JSONValue] = ["integration": .string(integration), "allowMultipleConnections": .bool(allowMultipleConnections)]
            if let connectionID { document["connectionId"] = .string(connectionID) }
            if let name { document["name"] = .string(name) }
            if let authOptionKey { document["authOptionKey"] = .string(authOptionKey) }
            if let customState { document["customState"] = .string(customState) }
            if let redirectURI { document["redirectUri"] = .string(redirectURI) }
            return document
        }

        /// The request a stored connection request describes.
        init(document: JSONValue) {
            integration = document["integration"]?.stringValue ?? document["integrationId"]?.stringValue ?? ""
            connectionID = document["connectionId"]?.stringValue
            name = document["name"]?.stringValue
            authOptionKey = document["authOptionKey"]?.stringValue
            allowMultipleConnections = document["allowMultipleConnections"] == true
            customState = document["customState"]?.stringValue
            redirectURI = document["redirectUri"]?.stringValue
        }
    }

    /// Where a connect flow ends: a redirect, or (without `redirectUri`) a page saying so.
    package enum Finish: Sendable, Equatable {
        case redirect(String)
        /// The auth takes input: show a form with these fields (from the option's `inputSchema`).
        case inputForm(title: String, fields: [InputField])
        case connected(connectionID: String)
        case failed(error: String, message: String)
    }

    /// One field of a connect form.
    package struct InputField: Sendable, Equatable {
        package var name: String
        package var title: String
        package var required: Bool
        /// Whether the value is a secret (shown as a password field).
        package var secret: Bool
    }

    // MARK: Starting

    /// Starts a connect flow for the tenant of `scope`.
    /// - Returns: Where to send the browser (the provider's authorization page, or the final redirect).
    package func start(_ request: ConnectRequest, scope: StoreScope) async throws(SwitchyardError) -> Finish {
        guard scope.tenantID != nil else { throw SwitchyardError(.badRequest, "connecting needs a tenant token (a connection belongs to one tenant)") }
        return try await start(request, scope: scope, pending: nil)
    }

    /// Starts the flow of a connection request, from the link `POST /connection-requests` gave.
    /// - Parameters:
    ///   - token: The link's `requestToken`, which names the request and its tenant.
    ///   - input: What the user typed into the connect form, once they did.
    package func start(requestToken token: String, input: [String: JSONValue]?) async throws(SwitchyardError) -> Finish {
        let payload = try state.verify(token)
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

    private func start(_ request: ConnectRequest, scope: StoreScope, pending: Record?) async throws(SwitchyardError) -> Finish {
        do throws(SwitchyardError) {
            return try await begin(request, scope: scope, pending: pending)
        } catch {
            if let pending { await settle(pending.id, scope: scope, status: "error", error: error.message) }
            throw error
        }
    }

    /// What a connect request names, checked: the integration, its connector package, the auth
    /// option, and (for a re-auth) that the connection belongs to that integration.
    func target(of request: ConnectRequest, scope: StoreScope) async throws(SwitchyardError) -> (
        integration: Record, package: ConnectorPackage, optionKey: String?, option: ConnectorAuthOption
    ) {
        let integration = try await integrationRecord(request.integration, scope: scope)
        let (_, package) = try await loader.package(for: integration, scope: scope)
        let (optionKey, option) = try Self.option(package.auth, key: request.authOptionKey)
        if let connectionID = request.connectionID {
            let existing = try await records.get(.connections, id: connectionID, scope: scope)
            guard existing.parentID == integration.id else {
                throw SwitchyardError(.badRequest, "connection \(connectionID) belongs to another integration", data: ["connectionId": "belongs to another integration"])
            }
        }
        return (integration, package, optionKey, option)
    }

    private func begin(_ request: ConnectRequest, scope: StoreScope, pending: Record?) async throws(SwitchyardError) -> Finish {
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
            let fields = Self.fields(option.inputSchema)
            guard let input = request.input ?? (fields.isEmpty ? [:] : nil) else { return .inputForm(title: package.spec.name, fields: fields) }
            let credentials = try await credentials(from: input, option: option, integration: integration, scope: scope)
            let variables: JSONValue = ["credentials": credentials, "connectorParameters": integration.secret ?? [:], "parameters": .object(input)]
            try await test(option, variables: variables, scope: scope, tags: tags)
            let connection = try await store(credentials: credentials, expiresAt: nil, integration: integration, request: document, scope: scope)
            return await finished(request, connectionID: connection.id, pending: pending?.id, scope: scope)
        case .oauth2:
            let oauth2 = try await Self.oauth2Config(option, integration: integration, functions: functions, scope: scope)
            let flow = try oauth2Flow(oauth2, integration: integration, scope: scope)
            if oauth2.grantType == .clientCredentials {
                let outcome = await flow.clientCredentials()
                let connection = try await store(outcome, option: option, integration: integration, request: document, scope: scope)
                return await finished(request, connectionID: connection.id, pending: pending?.id, scope: scope)
            }
            let pkce = oauth2.skipPkce ? nil : PKCE()
            let id = try await save(pending: pending, document: document, secret: ["codeVerifier": pkce.map { .string($0.verifier) } ?? .null], integration: integration, scope: scope)
            return .redirect(try flow.authorizationURL(redirectURI: callbackURL, state: signedState(id, scope: scope), pkce: pkce))
        case .oauth1:
            let oauth1 = try await Self.oauth1Config(option, integration: integration, functions: functions, scope: scope)
            let flow = try oauth1Flow(oauth1, integration: integration, scope: scope)
            let id = pending?.id ?? UUID().uuidString.lowercased()
            let callback = Self.appending(callbackURL, [("state", signedState(id, scope: scope))])
            let (token, secret) = try await flow.requestToken(callback: callback)
            document["oauth1Token"] = .string(token)
            _ = try await save(pending: pending, id: id, document: document, secret: ["oauth1TokenSecret": .string(secret)], integration: integration, scope: scope)
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
            NewRecord(kind: .connectionRequests, id: id, tenantID: scope.tenantID, parentID: integration.id, document: .object(document), secret: secret), scope: scope
        ).id
    }

    private func signedState(_ requestID: String, scope: StoreScope) -> String {
        state.sign(["r": .string(requestID), "w": .string(scope.workspaceID), "t": .string(scope.tenantID ?? "")], expiresAt: Date().timeIntervalSince1970 + 600)
    }

    // MARK: Finishing at /oauth-callback

    /// Finishes an OAuth flow at `/oauth-callback` (OAuth 2.0: `code`, OAuth 1.0a:
    /// `oauth_token` and `oauth_verifier`).
    /// - Throws: `bad_request` for a state that is forged, expired or already used (there is
    ///   then no trustworthy `redirectUri` to report to).
    package func complete(query: [String: String]) async throws(SwitchyardError) -> Finish {
        guard let text = query["state"] else { throw SwitchyardError(.badRequest, "the OAuth callback has no state", data: ["state": "is required"]) }
        let payload = try state.verify(text)
        guard let requestID = payload["r"]?.stringValue, let workspace = payload["w"]?.stringValue, let tenant = payload["t"]?.stringValue else {
            throw SwitchyardError(.badRequest, "the OAuth state is malformed", data: ["state": "malformed"])
        }
        let scope = StoreScope.tenant(tenant, in: workspace)
        let pending = try await records.get(.connectionRequests, id: requestID, scope: scope)
        // Single use: only one caller moves the request out of pending.
        let taken: Record
        do {
            taken = try await records.update(.connectionRequests, id: requestID, scope: scope, expectedRevision: pending.revision) { record throws(SwitchyardError) in
                guard record.document["status"]?.stringValue == "pending" else {
                    throw SwitchyardError(.badRequest, "this OAuth state was already used; start connecting again", data: ["state": "already used"])
                }
                var document = record.document.objectValue ?? [:]
                document["status"] = "exchanging"
                record.document = .object(document)
            }
        } catch where error.key == .conflict {
            throw SwitchyardError(.badRequest, "this OAuth state was already used; start connecting again", data: ["state": "already used"])
        }
        let request = ConnectRequest(document: taken.document)
        do throws(SwitchyardError) {
            if let error = query["error"] {
                throw SwitchyardError(.accessDenied, "the provider refused the authorization: \(error)" + (query["error_description"].map { " (\($0))" } ?? ""))
            }
            let integration = try await records.get(.integrations, id: taken.parentID ?? "", scope: scope)
            let (_, package) = try await loader.package(for: integration, scope: scope)
            let (_, option) = try Self.option(package.auth, key: taken.document["authOptionKey"]?.stringValue)
            let connection: Record
            switch option.type {
            case .oauth1:
                let oauth1 = try await Self.oauth1Config(option, integration: integration, functions: functions, scope: scope)
                if query["denied"] != nil { throw SwitchyardError(.accessDenied, "the user refused the authorization at the provider") }
                guard let token = query["oauth_token"], token == taken.document["oauth1Token"]?.stringValue, let verifier = query["oauth_verifier"] else {
                    throw SwitchyardError(.badRequest, "the OAuth 1.0 callback has no matching oauth_token and oauth_verifier")
                }
                let fields = try await oauth1Flow(oauth1, integration: integration, scope: scope).accessToken(
                    token: token, secret: taken.secret?["oauth1TokenSecret"]?.stringValue ?? "", verifier: verifier
                )
                let credentials = JSONValue.object(fields.mapValues { .string($0) })
                connection = try await store(credentials: credentials, expiresAt: nil, integration: integration, request: taken.document.objectValue ?? [:], scope: scope)
            default:
                guard let code = query["code"], !code.isEmpty else { throw SwitchyardError(.badRequest, "the OAuth callback has no code") }
                guard option.type == .oauth2 else { throw SwitchyardError(.badRequest, "the connector's auth is no longer oauth2") }
                let oauth2 = try await Self.oauth2Config(option, integration: integration, functions: functions, scope: scope)
                let flow = try oauth2Flow(oauth2, integration: integration, scope: scope)
                let outcome = await flow.exchange(code: code, redirectURI: callbackURL, verifier: taken.secret?["codeVerifier"]?.stringValue)
                connection = try await store(outcome, option: option, integration: integration, request: taken.document.objectValue ?? [:], scope: scope)
            }
            return await finished(request, connectionID: connection.id, pending: requestID, scope: scope)
        } catch {
            await settle(requestID, scope: scope, status: "error", error: error.message)
            logger.warning("connect flow failed", metadata: ["error": "\(error.message)"])
            guard let redirect = request.redirectURI else { return .failed(error: error.key.rawValue, message: error.message) }
            let data = JSONValue.object(["key": .string(error.key.rawValue), "message": .string(error.message)]).jsonText
            return .redirect(Self.appending(redirect, [("error", error.message), ("errorData", data)] + (request.customState.map { [("customState", $0)] } ?? [])))
        }
    }

    /// The end of a successful flow: the request (if any) marked done, the user sent on.
    private func finished(_ request: ConnectRequest, connectionID: String, pending: String?, scope: StoreScope) async -> Finish {
        if let pending { await settle(pending, scope: scope, status: "success", connectionID: connectionID) }
        guard let redirect = request.redirectURI else { return .connected(connectionID: connectionID) }
        return .redirect(Self.appending(redirect, [("connectionId", connectionID)] + (request.customState.map { [("customState", $0)] } ?? [])))
    }

    /// Records how a connect request ended; its secrets (PKCE verifier, token secret) go.
    func settle(_ id: String, scope: StoreScope, status: String, connectionID: String? = nil, error: String? = nil) async {
        _ = try? await records.update(.connectionRequests, id: id, scope: scope, expectedRevision: nil) { record in
            var document = record.document.objectValue ?? [:]
            document["status"] = .string(status)
            document["resultConnectionId"] = connectionID.map { .string($0) } ?? .null
            document["resultError"] = error.map { .string($0) } ?? .null
            record.document = .object(document.filter { $0.value != .null })
            record.secret = nil
        }
    }

    // MARK: Storing the connection

    /// Stores the credentials of a finished OAuth 2.0 flow (through
    /// `getCredentialsFromAccessTokenResponse` when the connector has it).
    private func store(
        _ outcome: OAuth2TokenResponse.Outcome, option: ConnectorAuthOption, integration: Record, request: [String: JSONValue], scope: StoreScope
    ) async throws(SwitchyardError) -> Record {
        switch CredentialRefresher.Outcome(outcome) {
        case .credentials(let value, let expiresAt):
            let credentials = try await Self.fromTokenResponse(value, option: option, integration: integration, functions: functions, scope: scope)
            return try await store(credentials: credentials, expiresAt: expiresAt, integration: integration, request: request, scope: scope)
        case .refused(let error, let description):
            throw SwitchyardError(.accessDenied, "the provider refused the token request: \(error)" + (description.map { " (\($0))" } ?? ""))
        case .transient(let message): throw SwitchyardError(.unavailable, "the token request failed: \(message)")
        }
    }

    /// Stores credentials: a new connection (replacing the tenant's other connections to the
    /// integration unless several are allowed), or, for a re-auth, the existing one connected
    /// again. The credentials go to the vault first, so a store that fails leaves nothing half-done.
    func store(credentials: JSONValue, expiresAt: Double?, integration: Record, request: [String: JSONValue], scope: StoreScope) async throws(SwitchyardError) -> Record {
        let stored: Record
        if let connectionID = request["connectionId"]?.stringValue {
            let existing = try await records.get(.connections, id: connectionID, scope: scope)
            let revision = CredentialRefresher.revision(existing) + 1
            let secretValue = try await vault.write(credentials, connectionID: connectionID, workspaceID: scope.workspaceID, tenantID: scope.tenantID, revision: revision)
            stored = try await records.update(.connections, id: connectionID, scope: scope, expectedRevision: nil) { record in
                var secret = record.secret?.objectValue ?? [:]
                secret["credentials"] = secretValue
                record.secret = .object(secret)
                var document = record.document.objectValue ?? [:]
                document["state"] = "connected"
                document["disconnected"] = false
                document["disconnectedReason"] = nil
                document["credentialsRevision"] = .number(Double(revision))
                document["credentialsExpiresAt"] = expiresAt.map { .number($0) } ?? .null
                record.document = .object(document.filter { $0.value != .null })
            }
            logger.info("connection reconnected", metadata: ["connection": "\(connectionID)"])
            await webhooks.notify("connection.reconnected", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: Self.event(stored))
        } else {
            let id = UUID().uuidString.lowercased()
            let secretValue = try await vault.write(credentials, connectionID: id, workspaceID: scope.workspaceID, tenantID: scope.tenantID, revision: 1)
            var document: [String: JSONValue] = [
                "name": request["name"] ?? .string(integration.document["name"]?.stringValue ?? "connection"), "integrationId": .string(integration.id),
                "state": "connected", "disconnected": false, "credentialsRevision": 1,
            ]
            if let value = integration.document["connectorId"] { document["connectorId"] = value }
            if let value = request["authOptionKey"] { document["authOptionKey"] = value }
            if let value = expiresAt { document["credentialsExpiresAt"] = .number(value) }
            var writes: [RecordWrite] = [
                .insert(
                    NewRecord(kind: .connections, id: id, tenantID: scope.tenantID, parentID: integration.id, document: .object(document), secret: secretValue.map { ["credentials": $0] }),
                    scope: scope
                )
            ]
            if request["allowMultipleConnections"] != true {
                let others = try await records.list(.connections, scope: scope, filter: RecordFilter(parentID: integration.id), limit: 1000, cursor: nil).items
                for other in others {
                    writes.append(.update(.connections, id: other.id, scope: scope, expectedRevision: nil) { record in
                        if record.archivedAt == nil { record.archivedAt = StoreClock.now() }
                    })
                }
            }
            let results = try await records.apply(writes)
            guard let created = results.first ?? nil else { throw SwitchyardError(.internal, "storing the connection returned nothing") }
            stored = created
            logger.info("connection created", metadata: ["connection": "\(created.id)", "integration": "\(integration.id)"])
            await webhooks.notify("connection.created", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: Self.event(created))
            await flowInstances.autoCreate(for: created)
        }
        await CredentialRefresher.scheduleRefresh(stored, jobs: jobs, logger: logger)
        return stored
    }

    // MARK: Flow settings

    func oauth2Flow(_ oauth2: ConnectorOAuth2Config, integration: Record, scope: StoreScope) throws(SwitchyardError) -> OAuth2Flow {
        guard let clientID = integration.secret?["clientId"]?.stringValue else {
            throw SwitchyardError(.badRequest, "integration \(integration.key ?? integration.id) has no clientId parameter for its OAuth client", data: ["parameters": "clientId is required"])
        }
        var flow = OAuth2Flow(config: oauth2, clientID: clientID, clientSecret: integration.secret?["clientSecret"]?.stringValue ?? "", http: http)
        flow.tags = ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""]
        return flow
    }

    func oauth1Flow(_ oauth1: ConnectorOAuth1Config, integration: Record, scope: StoreScope) throws(SwitchyardError) -> OAuth1Flow {
        let parameters = integration.secret
        guard let key = parameters?["consumerKey"]?.stringValue ?? parameters?["clientId"]?.stringValue else {
            throw SwitchyardError(
                .badRequest, "integration \(integration.key ?? integration.id) has no consumerKey (or clientId) parameter for its OAuth 1.0 client",
                data: ["parameters": "consumerKey is required"]
            )
        }
        var flow = OAuth1Flow(
            config: oauth1, consumerKey: key, consumerSecret: parameters?["consumerSecret"]?.stringValue ?? parameters?["clientSecret"]?.stringValue ?? "", http: http
        )
        flow.tags = ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""]
        return flow
    }

    /// The fields of an `inputSchema` (an object schema), in declaration order of their names.
    static func fields(_ schema: JSONValue?) -> [InputField] {
        guard case .object(let properties)? = schema?["properties"] else { return [] }
        var required: Set<String> = []
        if case .array(let items)? = schema?["required"] { required = Set(items.compactMap(\.stringValue)) }
        return properties.keys.sorted().map { name in
            let lowered = name.lowercased()
            let secret = properties[name]?["format"] == "password" || ["key", "secret", "password", "token"].contains { lowered.contains($0) }
            return InputField(name: name, title: properties[name]?["title"]?.stringValue ?? name, required: required.contains(name), secret: secret)
        }
    }
}
