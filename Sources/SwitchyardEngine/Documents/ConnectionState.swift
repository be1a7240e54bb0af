/// Where a connection stands, as its document's `state` says.
package enum ConnectionState: String, Sendable, CaseIterable {
    /// Its credentials work (or can be refreshed).
    case connected
    /// It needs to be connected again (`disconnectedReason` says why).
    case disconnected
    /// Something is wrong with it that connecting again may not fix.
    case error
}
