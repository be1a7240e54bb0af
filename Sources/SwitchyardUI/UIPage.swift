import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardHTTP

/// The HTML the UI serves: the app's shell (every screen is drawn by `app.js` in it) and the
/// OAuth popup's landing page. Both carry their settings and the string catalogue as JSON, so
/// the pages need no inline script.
struct UIPage {
    /// The assets the pages link to and inline.
    let assets: UIAssets
    /// The serving settings.
    let settings: UISettings

    /// The app's shell.
    /// - Parameters:
    ///   - workspaceKey: The workspace whose pages these are; `nil` for a connection request's link.
    ///   - allowedOrigins: The origins that may embed it.
    ///   - acceptLanguage: The browser's `Accept-Language`.
    ///   - unknown: Whether no workspace has the key (the page then only says so).
    func shell(workspaceKey: String?, allowedOrigins: [String], acceptLanguage: String?, unknown: Bool = false) -> String {
        let (language, strings) = assets.catalogue(acceptLanguage: acceptLanguage)
        var config: [String: JSONValue] = [
            "apiBase": .string(settings.apiBase), "basePath": .string(settings.basePath),
            "allowedOrigins": .array(allowedOrigins.map(JSONValue.string)), "version": .string(SwitchyardVersion.current),
            "workspaceKey": workspaceKey.map(JSONValue.string) ?? .null,
        ]
        config["language"] = .string(language)
        if unknown { config["unknownWorkspace"] = true }
        let configuration = #"<script type="application/json" id="switchyard-config">"#
            + Self.scriptJSON(JSONValue.object(config).jsonText) + "</script>"
        return page(language: language, strings: strings, extra: configuration, script: "app.js", hash: assets.app.hash)
    }

    /// The page the OAuth popup lands on: `done.js` reports its query to the window that opened it.
    func done(acceptLanguage: String?) -> String {
        let (language, strings) = assets.catalogue(acceptLanguage: acceptLanguage)
        return page(language: language, strings: strings, extra: "", script: "done.js", hash: assets.done.hash)
    }

    /// A page of the UI: the style sheet, the string catalogue, `extra` JSON and one script.
    private func page(language: String, strings: UIAsset, extra: String, script: String, hash: String) -> String {
        let base = settings.basePath
        return """
            <!doctype html>
            <html lang="\(language)" data-theme="auto"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
            <title>Integrations</title>
            <link rel="stylesheet" href="\(base)/assets/app.css?v=\(assets.style.hash)">
            \(extra)<script type="application/json" id="switchyard-strings">\(Self.scriptJSON(strings.text))</script>
            <script type="module" src="\(base)/assets/\(script)?v=\(hash)"></script>
            </head><body><main id="app" aria-live="polite"><noscript><p>\(HTMLText.escape(assets.noscriptText(language: language)))</p></noscript>\
            </main></body></html>
            """
    }

    /// JSON made safe inside a `<script>` element: no `</` or comment opener can end it early.
    static func scriptJSON(_ json: String) -> String {
        json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }
}
