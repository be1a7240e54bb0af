import Foundation
import Logging
import NIOHTTP1
import SwitchyardBlobs
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// Connections at work: the OAuth 2.0 connect flow (authorization redirect, callback, code
/// exchange), credentials kept encrypted on the connection, refresh that never races
/// (``CredentialRefresher``), and requests to the external API with the connection's auth
/// (the API proxy), refreshing once when the provider says the token expired.
package final class ConnectionRuntime: Sendable {
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

    package let loader: ConnectorLoader
    package let refresher: CredentialRefresher
    package let http: OutboundHTTPClient
    private let records: any RecordStore
    private let state: SignedState
    private let callbackURL: String
    private let logger: Logger
    /// Refresh this long before the provider's expiry.
    private let expiryMargin: Double = 30

    /// Creates the runtime.
    /// - Parameters:
    ///   - stateSecret: `SECRET`, from which the OAuth state key is derived.
    ///   - callbackBase: `BASE_OAUTH_CALLBACK_URI`; providers redirect to `<base>/oauth-callback`.
    ///   - holder: This process's name in refresh lease rows.
    package init(
        records: any RecordStore, jobs: any JobStore, blobs: any BlobStore, http: OutboundHTTPClient, stateSecret: String, callbackBase: String, holder: String,
        logger: Logger
    ) {
        self.records = records
        self.http = http
        loader = ConnectorLoader(records: records, blobs: blobs)
        state = SignedState(secret: stateSecret)
        callbackURL = (callbackBase.hasSuffix("/") ? String(callbackBase.dropLast()) : callbackBase) + "/oauth-callback"
        self.logger = logger
        let loader = loader
        refresher = CredentialRefresher(records: records, jobs: jobs, holder: holder, logger: logger) { connection in
            await Self.refresh(connection, records: records, loader: loader, http: http)
        }
    }

    // MARK: Connect

    /// Starts a connect flow for the tenant of `scope`.
    /// - Returns: Where to send the browser (the provider's authorization page, or the final redirect).
    package func start(_ request: ConnectRequest, scope: StoreScope) async throws(SwitchyardError) -> Finish {
        guard scope.tenantID != nil else { throw SwitchyardError(.badRequest, "connecting needs a tenant token (a connection belongs to one tenant)") }
        let integration = try await integrationRecord(request.integration, scope: scope)
        let (_, package) = try await loader.package(for: integration, scope: scope)
        let (optionKey, option) = try Self.option(package.auth, key: request.authOptionKey)
        if let connectionID = request.connectionID {
            let existing = try await records.get(.connections, id: connectionID, scope: scope)
            guard existing.parentID == integration.id else {
                throw SwitchyardError(.badRequest, "connection \(connectionID) belongs to another integration", data: ["connectionId": "belongs to another integration"])
            }
        }
        var document: [String: JSONValue] = [
            "status": "pending", "integrationId": .string(integration.id), "allowMultipleConnections": .bool(request.allowMultipleConnections),
            "expiresAt": .number(Date().timeIntervalSince1970 + 600),
        ]
        if let value = request.connectionID { document["connectionId"] = .string(value) }
        if let value = request.name { document["name"] = .string(value) }
        if let value = optionKey { document["authOptionKey"] = .string(value) }
        if let value = request.customState { document["customState"] = .string(value) }
        if let value = request.redirectURI { document["redirectUri"] = .string(value) }
        if option.type == .clientCredentials || option.type == .none {
            guard let input = request.input else { return .inputForm(title: package.spec.name, fields: Self.fields(option.inputSchema)) }
            let credentials = try credentials(from: input, option: option, integration: integration)
            try await test(option, credentials: credentials, integration: integration, parameters: .object(input), tags: ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""])
            let connection = try await store(credentials: credentials, expiresAt: nil, integration: integration, request: document, scope: scope)
            return finish(request.redirectURI, connectionID: connection.id, customState: request.customState)
        }
        guard option.type == .oauth2, let oauth2 = option.oauth2 else {
            throw SwitchyardError(.notSupported, "connecting with \(option.type.rawValue) auth through /connect is not supported yet; oauth2 and client-credentials are")
        }
        let flow = try await flow(oauth2, integration: integration, scope: scope)
        if oauth2.grantType == .clientCredentials {
            let outcome = await flow.clientCredentials()
            let connection = try await store(outcome, integration: integration, request: document, scope: scope)
            return finish(request.redirectURI, connectionID: connection.id, customState: request.customState)
        }
        let pkce = oauth2.skipPkce ? nil : PKCE()
        let created = try await records.insert(
            NewRecord(kind: .connectionRequests, tenantID: scope.tenantID, parentID: integration.id, document: .object(document),
                secret: ["codeVerifier": pkce.map { .string($0.verifier) } ?? .null]),
            scope: scope
        )
        let signed = state.sign(["r": .string(created.id), "w": .string(scope.workspaceID), "t": .string(scope.tenantID ?? "")], expiresAt: Date().timeIntervalSince1970 + 600)
        return .redirect(try flow.authorizationURL(redirectURI: callbackURL, state: signed, pkce: pkce))
    }

    /// Finishes the OAuth 2.0 flow at `/oauth-callback`.
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
        let redirect = taken.document["redirectUri"]?.stringValue
        let customState = taken.document["customState"]?.stringValue
        do throws(SwitchyardError) {
            if let error = query["error"] {
                throw SwitchyardError(.accessDenied, "the provider refused the authorization: \(error)" + (query["error_description"].map { " (\($0))" } ?? ""))
            }
            guard let code = query["code"], !code.isEmpty else { throw SwitchyardError(.badRequest, "the OAuth callback has no code") }
            let integration = try await records.get(.integrations, id: taken.parentID ?? "", scope: scope)
            let (_, package) = try await loader.package(for: integration, scope: scope)
            let (_, option) = try Self.option(package.auth, key: taken.document["authOptionKey"]?.stringValue)
            guard let oauth2 = option.oauth2 else { throw SwitchyardError(.badRequest, "the connector's auth is no longer oauth2") }
            let flow = try await flow(oauth2, integration: integration, scope: scope)
            let outcome = await flow.exchange(code: code, redirectURI: callbackURL, verifier: taken.secret?["codeVerifier"]?.stringValue)
            let connection = try await store(outcome, integration: integration, request: taken.document.objectValue ?? [:], scope: scope)
            _ = try? await records.update(.connectionRequests, id: requestID, scope: scope, expectedRevision: nil) { record in
                var document = record.document.objectValue ?? [:]
                document["status"] = "success"
                document["resultConnectionId"] = .string(connection.id)
                record.document = .object(document)
                record.secret = nil
            }
            return finish(redirect, connectionID: connection.id, customState: customState)
        } catch {
            _ = try? await records.update(.connectionRequests, id: requestID, scope: scope, expectedRevision: nil) { record in
                var document = record.document.objectValue ?? [:]
                document["status"] = "error"
                document["resultError"] = .string(error.message)
                record.document = .object(document)
                record.secret = nil
            }
            logger.warning("connect flow failed", metadata: ["error": "\(error.message)"])
            guard let redirect else { return .failed(error: error.key.rawValue, message: error.message) }
            let data = JSONValue.object(["key": .string(error.key.rawValue), "message": .string(error.message)]).jsonText
            return .redirect(Self.appending(redirect, [("error", error.message), ("errorData", data)] + (customState.map { [("customState", $0)] } ?? [])))
        }
    }

    private func finish(_ redirect: String?, connectionID: String, customState: String?) -> Finish {
        guard let redirect else { return .connected(connectionID: connectionID) }
        return .redirect(Self.appending(redirect, [("connectionId", connectionID)] + (customState.map { [("customState", $0)] } ?? [])))
    }

    /// Stores the credentials of a finished flow: a new connection (replacing the tenant's
    /// other connections to the integration unless several are allowed), or, for a re-auth,
    /// the existing one connected again.
    private func store(_ outcome: OAuth2TokenResponse.Outcome, integration: Record, request: [String: JSONValue], scope: StoreScope) async throws(SwitchyardError) -> Record {
        switch outcome {
        case .credentials(let value):
            return try await store(credentials: value.json, expiresAt: value.expiresAt, integration: integration, request: request, scope: scope)
        case .refused(let error, let description):
            throw SwitchyardError(.accessDenied, "the provider refused the token request: \(error)" + (description.map { " (\($0))" } ?? ""))
        case .transient(let message): throw SwitchyardError(.unavailable, "the token request failed: \(message)")
        }
    }

    private func store(credentials: JSONValue, expiresAt: Double?, integration: Record, request: [String: JSONValue], scope: StoreScope) async throws(SwitchyardError) -> Record {
        if let connectionID = request["connectionId"]?.stringValue {
            logger.info("connection reconnected", metadata: ["connection": "\(connectionID)"])
            return try await records.update(.connections, id: connectionID, scope: scope, expectedRevision: nil) { record in
                var secret = record.secret?.objectValue ?? [:]
                secret["credentials"] = credentials
                record.secret = .object(secret)
                var document = record.document.objectValue ?? [:]
                document["state"] = "connected"
                document["disconnected"] = false
                document["disconnectedReason"] = nil
                document["credentialsRevision"] = .number(Double(CredentialRefresher.revision(record) + 1))
                document["credentialsExpiresAt"] = expiresAt.map { .number($0) } ?? .null
                record.document = .object(document.filter { $0.value != .null })
            }
        }
        var document: [String: JSONValue] = [
            "name": request["name"] ?? .string(integration.document["name"]?.stringValue ?? "connection"), "integrationId": .string(integration.id),
            "state": "connected", "disconnected": false, "credentialsRevision": 1,
        ]
        if let value = integration.document["connectorId"] { document["connectorId"] = value }
        if let value = request["authOptionKey"] { document["authOptionKey"] = value }
        if let value = expiresAt { document["credentialsExpiresAt"] = .number(value) }
        var writes: [RecordWrite] = [
            .insert(NewRecord(kind: .connections, tenantID: scope.tenantID, parentID: integration.id, document: .object(document), secret: ["credentials": credentials]), scope: scope)
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
        logger.info("connection created", metadata: ["connection": "\(created.id)", "integration": "\(integration.id)"])
        return created
    }

    // MARK: Requests with the connection's auth

    /// Sends a request to the external API as the connection: base URI and auth from
    /// `makeApiClient`, credentials refreshed first when they are about to expire and once more
    /// when the provider answers 401.
    /// - Parameter target: A path relative to the connector's base URI, or a full URL.
    package func send(
        connectionID: String, scope: StoreScope, method: HTTPMethod, target: String, query: String?, headers: HTTPHeaders, body: [UInt8]?
    ) async throws(SwitchyardError) -> OutboundResponse {
        var connection = try await records.get(.connections, id: connectionID, scope: scope)
        guard connection.archivedAt == nil else { throw SwitchyardError(.notFound, "connection \(connectionID) is archived") }
        // An admin addresses any tenant's connection; its writes happen in that tenant's scope.
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: scope.workspaceID)
        if connection.document["state"]?.stringValue == "disconnected" { throw CredentialRefresher.disconnected(connection) }
        let integration = try await records.get(.integrations, id: connection.parentID ?? "", scope: scope)
        let (_, package) = try await loader.package(for: integration, scope: scope)
        let (_, option) = try Self.option(package.auth, key: connection.document["authOptionKey"]?.stringValue)
        let now = Date().timeIntervalSince1970
        if let credentials = OAuth2Credentials(connection.secret?["credentials"]), credentials.expires(within: expiryMargin, now: now), credentials.refreshToken != nil {
            connection = try await refresher.refreshed(connection.id, scope: scope, observedRevision: CredentialRefresher.revision(connection))
        }
        var response = try await attempt(connection, option: option, integration: integration, method: method, target: target, query: query, headers: headers, body: body)
        if response.status == .unauthorized, OAuth2Credentials(connection.secret?["credentials"])?.refreshToken != nil {
            connection = try await refresher.refreshed(connection.id, scope: scope, observedRevision: CredentialRefresher.revision(connection))
            response = try await attempt(connection, option: option, integration: integration, method: method, target: target, query: query, headers: headers, body: body)
        }
        return response
    }

    private func attempt(
        _ connection: Record, option: ConnectorAuthOption, integration: Record, method: HTTPMethod, target: String, query: String?, headers: HTTPHeaders, body: [UInt8]?
    ) async throws(SwitchyardError) -> OutboundResponse {
        let credentials = connection.secret?["credentials"] ?? .null
        let variables: JSONValue = [
            "credentials": credentials, "connectorParameters": integration.secret ?? [:], "parameters": connection.secret?["parameters"] ?? [:],
        ]
        let client = try APIClientConfig.make(option, variables: variables)
        var outgoing = headers
        for (name, value) in client.headers { outgoing.replaceOrAdd(name: name, value: value) }
        let secrets = Self.secretValues(credentials) + client.headers.filter { $0.0.lowercased() == "authorization" }.map(\.1)
        return try await http.send(
            OutboundRequest(method: method, url: try client.url(for: target, query: query), headers: outgoing, body: body, secrets: secrets, tags: Self.tags(connection))
        )
    }

    // MARK: Refresh

    /// One refresh against the provider with the connection's current refresh token.
    static func refresh(_ connection: Record, records: any RecordStore, loader: ConnectorLoader, http: OutboundHTTPClient) async -> OAuth2TokenResponse.Outcome {
        guard let credentials = OAuth2Credentials(connection.secret?["credentials"]) else {
            return .refused(error: "no_credentials", description: "the connection has no OAuth credentials")
        }
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        do {
            let integration = try await records.get(.integrations, id: connection.parentID ?? "", scope: scope)
            let (_, package) = try await loader.package(for: integration, scope: scope)
            let (_, option) = try option(package.auth, key: connection.document["authOptionKey"]?.stringValue)
            guard let oauth2 = option.oauth2 else { return .refused(error: "configuration", description: "the connector's auth is not oauth2") }
            var flow = OAuth2Flow(
                config: oauth2, clientID: integration.secret?["clientId"]?.stringValue ?? "", clientSecret: integration.secret?["clientSecret"]?.stringValue ?? "", http: http
            )
            flow.tags = tags(connection)
            return await flow.refresh(credentials)
        } catch {
            return .transient(error.message)
        }
    }

    // MARK: Input-based auth and tests

    /// The credentials of an input-based connection: `getCredentialsFromConnectionParameters`
    /// over `{input, connectorParameters}` when the connector has it, else the input itself;
    /// required input fields must be there.
    private func credentials(from input: [String: JSONValue], option: ConnectorAuthOption, integration: Record) throws(SwitchyardError) -> JSONValue {
        var missing: [String: String] = [:]
        for field in Self.fields(option.inputSchema) where field.required {
            if input[field.name].map({ $0 == .null || $0 == "" }) ?? true { missing[field.name] = "is required" }
        }
        guard missing.isEmpty else {
            throw SwitchyardError(.badRequest, "missing connection input: \(missing.keys.sorted().joined(separator: ", "))", data: missing)
        }
        guard let function = option.functions[.getCredentialsFromConnectionParameters] else { return .object(input) }
        guard case .mapping(let mapping) = function.implementation else {
            throw SwitchyardError(.notSupported, "\(function.file): getCredentialsFromConnectionParameters must be a mapping for now")
        }
        do {
            return try Formula.evaluate(mapping, variables: ["input": .object(input), "connectorParameters": integration.secret ?? [:]])
        } catch {
            throw SwitchyardError(.badRequest, "\(function.file): \(error.message) (at \(error.path))")
        }
    }

    /// Runs the connector's `test` with these credentials; a connector without one passes.
    /// - Throws: `access_denied` naming the upstream status when the test request fails.
    private func test(
        _ option: ConnectorAuthOption, credentials: JSONValue, integration: Record, parameters: JSONValue, tags: [String: String]
    ) async throws(SwitchyardError) {
        guard let function = option.functions[.test] else { return }
        let variables: JSONValue = ["credentials": credentials, "connectorParameters": integration.secret ?? [:], "parameters": parameters]
        switch function.implementation {
        case .restAPIMapping(let mapping):
            let client = try APIClientConfig.make(option, variables: variables)
            do {
                _ = try await RestAPIMappingRunner(http: http).run(
                    mapping, file: function.file, client: client, variables: variables, secrets: Self.secretValues(credentials), tags: tags
                )
            } catch {
                throw SwitchyardError(error.key == .unavailable ? .unavailable : .accessDenied, "the connection test failed: \(error.message)", data: error.data)
            }
        case .mapping(let mapping):
            let result: JSONValue
            do {
                result = try Formula.evaluate(mapping, variables: variables)
            } catch {
                throw SwitchyardError(.badRequest, "\(function.file): \(error.message) (at \(error.path))")
            }
            if result == false || result == .null { throw SwitchyardError(.accessDenied, "the connection test failed: \(function.file) gave \(result.jsonText)") }
        case .javascript:
            throw SwitchyardError(.notSupported, "\(function.file): JavaScript tests are not run yet; write the test as a rest-api-mapping")
        }
    }

    /// Runs the connector's `test` against a stored connection (`POST /connections/{id}/test`).
    package func test(connectionID: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        let connection = try await records.get(.connections, id: connectionID, scope: scope)
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: scope.workspaceID)
        let integration = try await records.get(.integrations, id: connection.parentID ?? "", scope: scope)
        let (_, package) = try await loader.package(for: integration, scope: scope)
        let (_, option) = try Self.option(package.auth, key: connection.document["authOptionKey"]?.stringValue)
        try await test(
            option, credentials: connection.secret?["credentials"] ?? .null, integration: integration, parameters: connection.secret?["parameters"] ?? [:], tags: Self.tags(connection)
        )
        return connection
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

    // MARK: Helpers

    private func integrationRecord(_ selector: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        if let record = try? await records.get(.integrations, id: selector, scope: scope), record.archivedAt == nil { return record }
        guard let record = try await records.list(.integrations, scope: scope, filter: RecordFilter(key: selector), limit: 1, cursor: nil).items.first else {
            throw SwitchyardError(.notFound, "integration \(selector) not found", data: ["integrationKey": "not found"])
        }
        return record
    }

    private func flow(_ oauth2: ConnectorOAuth2Config, integration: Record, scope: StoreScope) async throws(SwitchyardError) -> OAuth2Flow {
        guard let clientID = integration.secret?["clientId"]?.stringValue else {
            throw SwitchyardError(.badRequest, "integration \(integration.key ?? integration.id) has no clientId parameter for its OAuth client", data: ["parameters": "clientId is required"])
        }
        var flow = OAuth2Flow(config: oauth2, clientID: clientID, clientSecret: integration.secret?["clientSecret"]?.stringValue ?? "", http: http)
        flow.tags = ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""]
        return flow
    }

    static func option(_ auth: ConnectorAuth, key: String?) throws(SwitchyardError) -> (String?, ConnectorAuthOption) {
        switch auth {
        case .single(let option): return (nil, option)
        case .options(let options):
            if let key, let option = options[key] { return (key, option) }
            if key == nil, options.count == 1, let only = options.first { return (only.key, only.value) }
            throw SwitchyardError(
                .badRequest, "choose an auth option with authOptionKey: one of \(options.keys.sorted().joined(separator: ", "))", data: ["authOptionKey": "is required"]
            )
        }
    }

    /// How a connection's requests are tagged in the external API log.
    static func tags(_ connection: Record) -> [String: String] {
        ["workspace": connection.workspaceID, "tenant": connection.tenantID ?? "", "connection": connection.id]
    }

    /// Every string in a credentials object, for redaction.
    static func secretValues(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text): text.count >= 4 ? [text] : []
        case .object(let members): members.values.flatMap(secretValues)
        case .array(let items): items.flatMap(secretValues)
        default: []
        }
    }

    /// `url` with query parameters added, percent-encoded.
    package static func appending(_ url: String, _ parameters: [(String, String)]) -> String {
        let query = parameters.map { "\(APIClientConfig.encode($0.0))=\(APIClientConfig.encode($0.1))" }.joined(separator: "&")
        return url + (url.contains("?") ? "&" : "?") + query
    }
}
