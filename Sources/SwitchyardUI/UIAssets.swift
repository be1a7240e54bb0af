import Foundation
import SwitchyardCore

/// The UI's files, read once from the package resources (`Assets/`): the pages' script and
/// style, the OAuth popup's script, the SDK, and the string catalogues (`strings/<lang>.json`).
package struct UIAssets: Sendable {
    /// The pages' script.
    let app: UIAsset
    /// The pages' style sheet.
    let style: UIAsset
    /// The OAuth popup's landing script.
    let done: UIAsset
    /// The embed SDK.
    let sdk: UIAsset
    /// The string catalogues by language tag (`en`).
    let strings: [String: UIAsset]
    /// The English catalogue, every string's source.
    let english: UIAsset
    /// What a page says with JavaScript off (`page.noscript`), by language tag.
    private let noscript: [String: String]

    /// The assets served under `assets/`, by file name.
    let served: [String: UIAsset]

    /// Reads the assets from the module's resources.
    /// - Throws: `internal` when a file is missing (a packaging fault).
    package init() throws(SwitchyardError) {
        guard let root = Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw SwitchyardError(.internal, "the UI's assets are missing from the package")
        }
        try self.init(directory: root)
    }

    /// Reads the assets from a directory laid out as `Assets/`.
    init(directory: URL) throws(SwitchyardError) {
        let script = "text/javascript; charset=utf-8"
        app = try Self.read(directory, "app.js", script)
        style = try Self.read(directory, "app.css", "text/css; charset=utf-8")
        done = try Self.read(directory, "done.js", script)
        sdk = try Self.read(directory, "sdk.js", script)
        served = ["app.js": app, "app.css": style, "done.js": done]
        let folder = directory.appendingPathComponent("strings")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var strings: [String: UIAsset] = [:]
        var noscript: [String: String] = [:]
        for name in names where name.hasSuffix(".json") {
            let asset = try Self.read(directory, "strings/" + name, "application/json; charset=utf-8")
            guard case .object(let texts)? = try? JSONValue.parse(asset.text) else {
                throw SwitchyardError(.internal, "the UI string catalogue \(name) is not a JSON object")
            }
            strings[String(name.dropLast(5))] = asset
            noscript[String(name.dropLast(5))] = texts["page.noscript"]?.stringValue
        }
        guard let english = strings["en"] else { throw SwitchyardError(.internal, "the UI string catalogue strings/en.json is missing") }
        self.strings = strings
        self.english = english
        self.noscript = noscript
    }

    /// What a page in a language says with JavaScript off (English when that catalogue lacks it).
    func noscriptText(language: String) -> String {
        noscript[language] ?? noscript["en"] ?? "These screens need JavaScript."
    }

    private static func read(_ directory: URL, _ name: String, _ type: String) throws(SwitchyardError) -> UIAsset {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            throw SwitchyardError(.internal, "the UI asset \(name) is missing from the package")
        }
        return UIAsset(bytes: Array(data), contentType: type)
    }

    /// The catalogue for the first language of an `Accept-Language` header that has one, else
    /// English.
    func catalogue(acceptLanguage: String?) -> (language: String, strings: UIAsset) {
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let tag = part.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            for candidate in [tag, String(tag.prefix { $0 != "-" })] {
                if let asset = strings[candidate] { return (candidate, asset) }
            }
        }
        return ("en", english)
    }
}
