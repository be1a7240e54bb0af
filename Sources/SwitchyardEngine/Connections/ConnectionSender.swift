import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// Sends requests to the external API as a connection (the API proxy, operations, actions):
/// base URI and auth from `makeApiClient` and the auth type, credentials refreshed first when
/// they are about to expire and once more when the provider says they expired.
package struct ConnectionSender: Sendable {
    /// Connections with their integration, package, credentials and API client.
    let resolver: ConnectionResolver
    /// Refreshes credentials, once at a time.
    let refresher: CredentialRefresher
    /// Logs connector formulas that fail.
    let logger: Logger

    /// The body a streamed call hands on: as it arrives, or already read (an error answer the
    /// connector's `credentialsExpiredWhen` had to look at).
    package enum StreamedBody: Sendable {
        /// The body as it arrives.
        case streaming(OutboundResponseBody)
        /// The body, already read.
        case read([UInt8])
    }

    /// Sends one call as the connection (its target a path relative to the connector's base URI,
    /// or a full URL), refreshing its credentials once when the answer says they expired.
    func send(connectionID: String, scope: StoreScope, call: ExternalCall) async throws(SwitchyardError) -> OutboundResponse {
        var loaded = try await ready(connectionID, scope: scope)
        var response = try await attempt(loaded, call)
        if loaded.refreshable, expired(status: response.status, headers: response.headers, body: response.body, option: loaded.option) {
            loaded = try await refreshed(loaded)
            response = try await attempt(loaded, call)
        }
        return response
    }

    /// Sends one call as the connection like ``send(connectionID:scope:call:)``, but hands the
    /// final response to `consume` as it arrives (the API proxy streams it on). A 401 from a
    /// connection that can refresh is not handed on: its body is dropped, the credentials are
    /// refreshed once, and the call is sent again.
    package func stream<T: Sendable>(
        connectionID: String, scope: StoreScope, call: ExternalCall,
        _ consume: @escaping @Sendable (OutboundResponseHead, StreamedBody) async throws -> T
    ) async throws(SwitchyardError) -> T {
        var loaded = try await ready(connectionID, scope: scope)
        let refreshable = loaded.refreshable
        let option = loaded.option
        let first: T? = try await resolver.http.stream(try await outbound(loaded, call)) {
            head, body in
            guard refreshable else { return try await consume(head, .streaming(body)) }
            if option.credentialsExpiredWhen == nil {
                return head.status == .unauthorized ? nil : try await consume(head, .streaming(body))
            }
            // The connector decides from the body: read an error answer (they are small) first.
            guard !(200..<300).contains(Int(head.status.code)) else { return try await consume(head, .streaming(body)) }
            var bytes: [UInt8] = []
            for try await chunk in body { bytes += chunk.readableBytesView }
            return self.expired(status: head.status, headers: head.headers, body: bytes, option: option) ? nil : try await consume(head, .read(bytes))
        }
        if let first { return first }
        loaded = try await refreshed(loaded)
        return try await resolver.http.stream(try await outbound(loaded, call)) {
            head, body in try await consume(head, .streaming(body))
        }
    }

    /// A transport that sends as a stored connection (auth, refresh on 401, its log tags).
    func transport(_ connectionID: String, scope: StoreScope) -> ExternalTransport {
        { [self] call throws(SwitchyardError) in try await send(connectionID: connectionID, scope: scope, call: call) }
    }

    /// A connection ready to send: connected, with credentials refreshed first when they are
    /// about to expire.
    private func ready(_ connectionID: String, scope: StoreScope) async throws(SwitchyardError) -> LoadedConnection {
        let loaded = try await resolver.load(connectionID, scope: scope)
        if loaded.connection.connectionDocument.isDisconnected { throw CredentialRefresher.disconnected(loaded.connection) }
        if let credentials = OAuth2Credentials(loaded.credentials), credentials.refreshToken != nil,
            credentials.expiresSoon(now: Date().timeIntervalSince1970)
        {
            return try await refreshed(loaded)
        }
        return loaded
    }

    /// Whether an answer says the credentials expired: the connector's `credentialsExpiredWhen`
    /// over `{response: {statusCode, headers, data}}` for a non-2xx answer, else a 401. A formula
    /// that fails counts as "no" (and is logged), so a connector bug never loops refreshes.
    func expired(status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8], option: ConnectorAuthOption) -> Bool {
        guard let formula = option.credentialsExpiredWhen else { return status == .unauthorized }
        guard !(200..<300).contains(Int(status.code)) else { return false }
        var headerValues: [String: JSONValue] = [:]
        for (name, value) in headers { headerValues[name.lowercased()] = .string(value) }
        let text = String(decoding: body, as: UTF8.self)
        let data = body.isEmpty ? JSONValue.null : ((try? JSONValue.parse(text)) ?? .string(text))
        do {
            return try Formula.evaluate(
                formula, variables: ["response": ["statusCode": .number(Double(status.code)), "headers": .object(headerValues), "data": data]])
                == true
        } catch {
            logger.warning("the connector's credentialsExpiredWhen failed", metadata: ["error": "\(error.message)", "path": "\(error.path)"])
            return false
        }
    }

    private func refreshed(_ loaded: LoadedConnection) async throws(SwitchyardError) -> LoadedConnection {
        let observed = loaded.connection.connectionDocument.credentialsRevision
        let connection = try await refresher.refreshed(loaded.connection.id, scope: loaded.scope, observedRevision: observed)
        var copy = loaded
        copy.connection = connection
        copy.credentials = try await resolver.vault.read(connection)
        return copy
    }

    private func attempt(_ loaded: LoadedConnection, _ call: ExternalCall) async throws(SwitchyardError) -> OutboundResponse {
        try await resolver.http.send(try await outbound(loaded, call))
    }

    /// The outbound request of a call as the connection: its client's URL and auth, its
    /// credentials redacted, its log tags.
    private func outbound(_ loaded: LoadedConnection, _ call: ExternalCall) async throws(SwitchyardError) -> OutboundRequest {
        try await resolver.client(loaded).request(
            for: call, secrets: ConnectionLog.secretValues(loaded.credentials), tags: ConnectionLog.tags(loaded.connection))
    }
}
