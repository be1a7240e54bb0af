import Foundation
import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardHTTP

/// The `ui` role: the pages a SaaS's own customers see (the integration catalogue, connecting,
/// a connection and its flows), drawn by `app.js` in a shell under the base path, and the embed
/// SDK at `/sdk.js` that opens them from the SaaS's frontend.
///
/// A workspace's shell may be framed only by the origins in its `uiAllowedOrigins` (CSP
/// `frame-ancestors`). The tenant token never reaches this server in a URL: the SDK passes it in
/// the fragment, and the script sends it to the API as a bearer token.
package struct EmbeddedUI: Sendable {
    /// How the pages are served.
    package let settings: UISettings
    let assets: UIAssets
    let policies: any EmbedPolicySource
    let proxy: EngineProxy?
    let logger: Logger

    /// Creates the UI.
    /// - Parameters:
    ///   - settings: The base path, and the engine to forward API calls to when the `api` role is
    ///     not in this process.
    ///   - assets: The files it serves.
    ///   - policies: Where the embedding origins come from.
    package init(
        settings: UISettings, assets: UIAssets, policies: any EmbedPolicySource, client: HTTPClient = .shared,
        logger: Logger = Logger(label: "switchyard.ui")
    ) {
        self.settings = settings
        self.assets = assets
        self.policies = policies
        self.logger = logger
        proxy = settings.engineAPIURI.map { EngineProxy(baseURL: $0, client: client, timeout: .seconds(30)) }
    }

    /// The URL path of the SDK of this version, cached for good.
    package static var versionedSDKPath: String { "/sdk-\(SwitchyardVersion.current).js" }

    /// Registers the SDK at the root and the pages under the base path.
    package func register(on router: Router<SwitchyardRequestContext>) {
        let ui = self
        let base = router.group(RouterPath(settings.basePath))
        let sdkPaths = [(router.group(), "/sdk.js", false), (router.group(), Self.versionedSDKPath, true), (base, "/sdk.js", false)]
        for (group, path, immutable) in sdkPaths {
            group.get(RouterPath(path)) { request, _ in ui.sdk(request, immutable: immutable) }
            group.head(RouterPath(path)) { request, _ in
                let full = ui.sdk(request, immutable: immutable)
                return Response(status: full.status, headers: full.headers)
            }
        }
        base.get("/embed/{workspace}") { request, context in
            try await ui.embed(request, workspaceKey: context.parameters.get("workspace") ?? "")
        }
        base.get("/request") { request, _ in
            let page = UIPage(assets: ui.assets, settings: ui.settings)
            let html = page.shell(workspaceKey: nil, allowedOrigins: [], acceptLanguage: request.headers[.acceptLanguage])
            return Response(status: .ok, headers: UIHeaders.page(frameAncestors: []), body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        base.get("/done") { request, _ in
            let html = UIPage(assets: ui.assets, settings: ui.settings).done(acceptLanguage: request.headers[.acceptLanguage])
            return Response(status: .ok, headers: UIHeaders.page(frameAncestors: []), body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        base.get("/assets/{name}") { request, context in
            guard let asset = ui.assets.served[context.parameters.get("name") ?? ""] else {
                throw SwitchyardError(.notFound, "no UI asset \(context.parameters.get("name") ?? "")")
            }
            return ui.file(asset, request: request, immutable: request.uri.queryParameters["v"].map(String.init) == asset.hash)
        }
        if let proxy {
            let prefix = settings.basePath + "/api"
            let logger = logger
            for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
                base.on("/api/**", method: method) { request, _ in
                    try await proxy.forward(request, path: String(request.uri.path.dropFirst(prefix.count)), logger: logger)
                }
            }
        }
    }

    /// A workspace's shell, framed only by its allowed origins.
    private func embed(_ request: Request, workspaceKey: String) async throws -> Response {
        let page = UIPage(assets: assets, settings: settings)
        let language = request.headers[.acceptLanguage]
        guard let origins = try await origins(of: workspaceKey) else {
            // A token for a workspace this server does not have: any page may frame the answer,
            // which only says so (to the SDK too, so its promise rejects at once).
            let html = page.shell(workspaceKey: workspaceKey, allowedOrigins: [WebOrigin.any], acceptLanguage: language, unknown: true)
            let headers = UIHeaders.page(frameAncestors: ["*"])
            return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        let html = page.shell(workspaceKey: workspaceKey, allowedOrigins: origins, acceptLanguage: language)
        return Response(status: .ok, headers: UIHeaders.page(frameAncestors: origins), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The workspace's embedding origins, or `nil` when no workspace has the key.
    private func origins(of workspaceKey: String) async throws(SwitchyardError) -> [String]? {
        do {
            return try await policies.allowedOrigins(workspaceKey: workspaceKey)
        } catch {
            if error.key == .notFound { return nil }
            throw error
        }
    }

    /// The SDK, loadable from any origin (a module script from another origin needs CORS).
    private func sdk(_ request: Request, immutable: Bool) -> Response {
        var response = file(assets.sdk, request: request, immutable: immutable)
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }

    /// A file with its `ETag`: cached for a year when its URL names its version, else revalidated
    /// after five minutes; `304` when the browser has it.
    private func file(_ asset: UIAsset, request: Request, immutable: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.eTag] = asset.etag
        headers[.cacheControl] = immutable ? "public, max-age=31536000, immutable" : "public, max-age=300"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if request.headers[.ifNoneMatch]?.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag }) == true {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
