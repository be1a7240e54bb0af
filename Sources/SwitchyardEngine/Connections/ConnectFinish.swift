/// Where a connect flow ends: a redirect, a form, or (without `redirectUri`) a page saying how
/// it went.
package enum ConnectFinish: Sendable, Equatable {
    /// Send the browser here (the provider's authorization page, or `redirectUri` with a failure).
    case redirect(String)
    /// The auth takes input: show a form with these fields (from the option's `inputSchema`).
    case inputForm(title: String, fields: [ConnectInputField])
    /// Connected; `redirect` is `redirectUri` with the result, where the browser goes next (a
    /// page says so when there is none).
    case connected(connectionID: String, redirect: String?)
    /// Failed, and no `redirectUri` to report to.
    case failed(error: String, message: String)
}
