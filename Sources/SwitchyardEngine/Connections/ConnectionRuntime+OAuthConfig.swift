import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// The OAuth settings in force for an integration: the connector's inline ones, overridden
/// field by field by its `getOAuthConfig` function (run over `{connectorParameters}`) when it
/// has one, so a connector can take its endpoints from the integration's parameters (a
/// customer's own instance URL, say).
extension ConnectionRuntime {
    static func oauth2Config(
        _ option: ConnectorAuthOption, integration: Record, functions: ConnectorFunctionRunner, scope: StoreScope
    ) async throws(SwitchyardError) -> ConnectorOAuth2Config {
        var config = option.oauth2 ?? ConnectorOAuth2Config()
        guard let value = try await computed(option, integration: integration, functions: functions, scope: scope) else { return config }
        if let text = value["authorizeUri"]?.stringValue { config.authorizeUri = text }
        if let text = value["tokenUri"]?.stringValue { config.tokenUri = text }
        if let text = value["revokeUri"]?.stringValue { config.revokeUri = text }
        if case .array(let items)? = value["scopes"] { config.scopes = items.compactMap(\.stringValue) }
        if case .object(let extra)? = value["extra"] { config.extra.merge(extra) { $1 } }
        return config
    }

    static func oauth1Config(
        _ option: ConnectorAuthOption, integration: Record, functions: ConnectorFunctionRunner, scope: StoreScope
    ) async throws(SwitchyardError) -> ConnectorOAuth1Config {
        var config = option.oauth1 ?? ConnectorOAuth1Config()
        guard let value = try await computed(option, integration: integration, functions: functions, scope: scope) else { return config }
        if let text = value["requestTokenUri"]?.stringValue { config.requestTokenUri = text }
        if let text = value["authorizeUri"]?.stringValue { config.authorizeUri = text }
        if let text = value["accessTokenUri"]?.stringValue { config.accessTokenUri = text }
        return config
    }

    private static func computed(
        _ option: ConnectorAuthOption, integration: Record, functions: ConnectorFunctionRunner, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue? {
        guard let function = option.functions[.getOAuthConfig] else { return nil }
        let value = try await functions.run(
            function, name: "getOAuthConfig",
            context: .init(workspaceID: scope.workspaceID, tenantID: scope.tenantID, variables: ["connectorParameters": integration.secret ?? [:]], transport: nil)
        )
        guard case .object = value else {
            throw SwitchyardError(.badRequest, "\(function.file): getOAuthConfig must return an object of OAuth settings; it returned \(value.jsonText.prefix(80))")
        }
        return value
    }
}
