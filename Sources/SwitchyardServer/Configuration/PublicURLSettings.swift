/// The URLs under which this deployment is reached, by the public and by its own roles.
package struct PublicURLSettings: Sendable, Equatable {
    /// Public URL of the API (`BASE_URI`); derived from host and port when unset.
    package var baseURI: String
    /// Public URL for incoming webhooks (`BASE_WEBHOOKS_URI`, default `BASE_URI`).
    package var webhooksURI: String
    /// Public URL for OAuth callbacks (`BASE_OAUTH_CALLBACK_URI`, default `BASE_URI`).
    package var oauthCallbackURI: String
    /// URL workers use to reach the API (`BASE_URI_INTERNAL`, default `BASE_URI`).
    package var internalURI: String
    /// URL of the custom code runner (`CUSTOM_CODE_RUNNER_URI`); `nil` means this process runs it.
    package var customCodeRunnerURI: String?
    /// URL the static bucket is served from (`BASE_STATIC_URI`).
    package var staticURI: String

    /// Reads the settings.
    /// - Parameters:
    ///   - env: The environment reader; problems are recorded there.
    ///   - http: The listening address, used to derive `BASE_URI` when it is unset.
    package init(env: inout EnvironmentReader, http: HTTPServerSettings) {
        let listenHost = http.host == "0.0.0.0" || http.host == "::" ? "127.0.0.1" : http.host
        let base = env.httpURL("BASE_URI") ?? "http://\(listenHost):\(http.port)"
        baseURI = base
        webhooksURI = env.httpURL("BASE_WEBHOOKS_URI") ?? base
        oauthCallbackURI = env.httpURL("BASE_OAUTH_CALLBACK_URI") ?? base
        internalURI = env.httpURL("BASE_URI_INTERNAL") ?? base
        customCodeRunnerURI = env.httpURL("CUSTOM_CODE_RUNNER_URI")
        staticURI = env.httpURL("BASE_STATIC_URI") ?? base + "/static"
    }
}
