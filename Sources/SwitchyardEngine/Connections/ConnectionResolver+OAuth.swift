import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// An integration's OAuth: the settings in force (the connector's inline ones, overridden field
/// by field by its `getOAuthConfig` function, run over `{connectorParameters}`, when it has one,
/// so a connector can take its endpoints from the integration's parameters), the flows with the
/// integration's client, and the credentials a token response gives.
extension ConnectionResolver {
    func oauth2Config(_ option: ConnectorAuthOption, integration: Record, scope: StoreScope) async throws(SwitchyardError) -> ConnectorOAuth2Config {
        var config = option.oauth2 ?? ConnectorOAuth2Config()
        guard let value = try await computed(option, integration: integration, scope: scope) else { return config }
        if let text = value["authorizeUri"]?.stringValue { config.authorizeUri = text }
        if let text = value["tokenUri"]?.stringValue { config.tokenUri = text }
        if let text = value["revokeUri"]?.stringValue { config.revokeUri = text }
        if case .array(let items)? = value["scopes"] { config.scopes = items.compactMap(\.stringValue) }
        if case .object(let extra)? = value["extra"] { config.extra.merge(extra) { $1 } }
        return config
    }

    func oauth1Config(_ option: ConnectorAuthOption, integration: Record, scope: StoreScope) async throws(SwitchyardError) -> ConnectorOAuth1Config {
        var config = option.oauth1 ?? ConnectorOAuth1Config()
        guard let value = try await computed(option, integration: integration, scope: scope) else { return config }
        if let text = value["requestTokenUri"]?.stringValue { config.requestTokenUri = text }
        if let text = value["authorizeUri"]?.stringValue { config.authorizeUri = text }
        if let text = value["accessTokenUri"]?.stringValue { config.accessTokenUri = text }
        return config
    }

    private func computed(_ option: ConnectorAuthOption, integration: Record, scope: StoreScope) async throws(SwitchyardError) -> JSONValue? {
        guard let function = option.functions[.getOAuthConfig] else { return nil }
        let value = try await functions.run(
            function, name: "getOAuthConfig",
            context: .init(
                workspaceID: scope.workspaceID, tenantID: scope.tenantID, variables: ["connectorParameters": integration.integrationParameters.json],
                transport: nil)
        )
        guard case .object = value else {
            throw SwitchyardError(
                .badRequest, "\(function.file): getOAuthConfig must return an object of OAuth settings; it returned \(value.jsonText.prefix(80))")
        }
        return value
    }

    /// The OAuth 2.0 flow with the integration's client.
    /// - Throws: `bad_request` when the integration has no `clientId`.
    func oauth2Flow(_ oauth2: ConnectorOAuth2Config, integration: Record, scope: StoreScope) throws(SwitchyardError) -> OAuth2Flow {
        let parameters = integration.integrationParameters
        guard let clientID = parameters.clientID else {
            throw SwitchyardError(
                .badRequest, "integration \(integration.key ?? integration.id) has no clientId parameter for its OAuth client",
                data: ["parameters": "clientId is required"])
        }
        var flow = OAuth2Flow(config: oauth2, clientID: clientID, clientSecret: parameters.clientSecret ?? "", http: http)
        flow.tags = ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""]
        return flow
    }

    /// The OAuth 1.0a flow with the integration's consumer.
    /// - Throws: `bad_request` when the integration has no `consumerKey` (or `clientId`).
    func oauth1Flow(_ oauth1: ConnectorOAuth1Config, integration: Record, scope: StoreScope) throws(SwitchyardError) -> OAuth1Flow {
        let parameters = integration.integrationParameters
        guard let key = parameters.consumerKey else {
            throw SwitchyardError(
                .badRequest, "integration \(integration.key ?? integration.id) has no consumerKey (or clientId) parameter for its OAuth 1.0 client",
                data: ["parameters": "consumerKey is required"]
            )
        }
        var flow = OAuth1Flow(config: oauth1, consumerKey: key, consumerSecret: parameters.consumerSecret ?? "", http: http)
        flow.tags = ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""]
        return flow
    }

    /// The credentials to store from a token response: `getCredentialsFromAccessTokenResponse`
    /// over `{input: <token response>, connectorParameters}` merged over the response, when the
    /// connector has it.
    func fromTokenResponse(
        _ credentials: JSONValue, option: ConnectorAuthOption, integration: Record, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        guard let function = option.functions[.getCredentialsFromAccessTokenResponse] else { return credentials }
        let value = try await functions.run(
            function, name: "getCredentialsFromAccessTokenResponse",
            context: .init(
                workspaceID: scope.workspaceID, tenantID: scope.tenantID,
                variables: ["input": credentials, "connectorParameters": integration.integrationParameters.json],
                transport: nil
            )
        )
        guard case .object(let extra) = value else { return credentials }
        return .object((credentials.objectValue ?? [:]).merging(extra) { $1 })
    }
}
