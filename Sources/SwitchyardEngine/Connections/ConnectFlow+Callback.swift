import Foundation
import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// The end of a connect flow: the provider's redirect to `/oauth-callback`, the connection
/// request settled, the browser sent on.
extension ConnectFlow {
    /// Finishes an OAuth flow at `/oauth-callback` (OAuth 2.0: `code`, OAuth 1.0a:
    /// `oauth_token` and `oauth_verifier`).
    /// - Throws: `bad_request` for a state that is forged, expired or already used (there is
    ///   then no trustworthy `redirectUri` to report to).
    package func complete(query: [String: String]) async throws(SwitchyardError) -> ConnectFinish {
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
            taken = try await records.update(.connectionRequests, id: requestID, scope: scope, expectedRevision: pending.revision) {
                record throws(SwitchyardError) in
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
                throw SwitchyardError(
                    .accessDenied, "the provider refused the authorization: \(error)" + (query["error_description"].map { " (\($0))" } ?? ""))
            }
            let integration = try await records.get(.integrations, id: taken.parentID ?? "", scope: scope)
            let (_, package) = try await resolver.loader.package(for: integration, scope: scope)
            let (_, option) = try ConnectionResolver.option(package.auth, key: taken.document["authOptionKey"]?.stringValue)
            let connection: Record
            switch option.type {
            case .oauth1:
                let oauth1 = try await resolver.oauth1Config(option, integration: integration, scope: scope)
                if query["denied"] != nil { throw SwitchyardError(.accessDenied, "the user refused the authorization at the provider") }
                guard let token = query["oauth_token"], token == taken.document["oauth1Token"]?.stringValue, let verifier = query["oauth_verifier"]
                else {
                    throw SwitchyardError(.badRequest, "the OAuth 1.0 callback has no matching oauth_token and oauth_verifier")
                }
                let fields = try await resolver.oauth1Flow(oauth1, integration: integration, scope: scope).accessToken(
                    token: token, secret: taken.secret?["oauth1TokenSecret"]?.stringValue ?? "", verifier: verifier
                )
                let credentials = JSONValue.object(fields.mapValues { .string($0) })
                connection = try await store(
                    credentials: credentials, expiresAt: nil, integration: integration, request: taken.document.objectValue ?? [:], scope: scope)
            default:
                guard let code = query["code"], !code.isEmpty else { throw SwitchyardError(.badRequest, "the OAuth callback has no code") }
                guard option.type == .oauth2 else { throw SwitchyardError(.badRequest, "the connector's auth is no longer oauth2") }
                let oauth2 = try await resolver.oauth2Config(option, integration: integration, scope: scope)
                let flow = try resolver.oauth2Flow(oauth2, integration: integration, scope: scope)
                let outcome = await flow.exchange(code: code, redirectURI: callbackURL, verifier: taken.secret?["codeVerifier"]?.stringValue)
                connection = try await store(
                    outcome, option: option, integration: integration, request: taken.document.objectValue ?? [:], scope: scope)
            }
            return await finished(request, connectionID: connection.id, pending: requestID, scope: scope)
        } catch {
            await settle(requestID, scope: scope, status: "error", error: error.message)
            logger.warning("connect flow failed", metadata: ["error": "\(error.message)"])
            guard let redirect = request.redirectURI else { return .failed(error: error.key.rawValue, message: error.message) }
            let data = JSONValue.object(["key": .string(error.key.rawValue), "message": .string(error.message)]).jsonText
            return .redirect(
                PercentEncoding.appending(
                    redirect, [("error", error.message), ("errorData", data)] + (request.customState.map { [("customState", $0)] } ?? [])))
        }
    }

    /// The end of a successful flow: the request (if any) marked done, the user sent on.
    func finished(_ request: ConnectRequest, connectionID: String, pending: String?, scope: StoreScope) async -> ConnectFinish {
        if let pending { await settle(pending, scope: scope, status: "success", connectionID: connectionID) }
        let redirect = request.redirectURI.map {
            PercentEncoding.appending($0, [("connectionId", connectionID)] + (request.customState.map { [("customState", $0)] } ?? []))
        }
        return .connected(connectionID: connectionID, redirect: redirect)
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
}
