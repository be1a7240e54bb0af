/// How people log in to the console: Auth0 when configured, built-in accounts otherwise.
package struct ConsoleAuthSettings: Sendable, Equatable {
    /// The Auth0 tenant domain (`AUTH0_DOMAIN`).
    package var auth0Domain: String?
    /// The Auth0 application's client id (`AUTH0_CLIENT_ID`).
    package var auth0ClientID: String?
    /// The Auth0 application's client secret (`AUTH0_CLIENT_SECRET`).
    package var auth0ClientSecret: String?

    /// Whether Auth0 login is configured.
    package var usesAuth0: Bool { auth0Domain != nil }

    /// Reads the settings: all three Auth0 variables or none.
    /// - Parameter env: The environment reader; problems are recorded there.
    package init(env: inout EnvironmentReader) {
        let names = ["AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"]
        let values = names.map { env.string($0) }
        let setCount = values.compactMap { $0 }.count
        if setCount > 0 && setCount < names.count {
            for (name, value) in zip(names, values) where value == nil {
                env.report(name, "is required when any of \(names.joined(separator: ", ")) is set")
            }
        }
        auth0Domain = setCount == names.count ? values[0] : nil
        auth0ClientID = setCount == names.count ? values[1] : nil
        auth0ClientSecret = setCount == names.count ? values[2] : nil
    }
}
