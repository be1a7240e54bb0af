import Foundation
import SwitchyardCore

/// `<base>/external-api-logs/{id}`: one request Switchyard sent to an external API for a
/// connection, as the API shows it (method, URL, status, duration, headers and body previews,
/// already redacted by the engine). Headers whose name marks a credential are masked here too,
/// so an entry stored by an older engine cannot show one.
enum ExternalAPILogPages {
    /// What a masked header value reads.
    static let masked = "[redacted]"

    /// Header names whose value is always a credential.
    private static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]
    /// Words that mark a header name as holding a credential.
    private static let credentialWords = [
        "token", "secret", "password", "passwd", "credential", "api-key", "apikey", "api_key", "auth", "signature", "key",
    ]

    /// Registers the page.
    static func register(_ pages: PageRoutes) {
        pages.get("/external-api-logs/:id") { page in try await entry(page) }
    }

    /// One entry.
    static func entry(_ page: PageRequest) async throws -> PageResult {
        let id = page.parameter("id")
        let entry = try await page.get(EngineRequest.path("external-api-logs", id))
        let settings = page.console.settings
        var values = ViewValue.of(entry) as? [String: Any] ?? [:]
        values["requestHeaders"] = headers(entry["requestHeaders"])
        values["responseHeaders"] = headers(entry["responseHeaders"])
        values["time"] = ViewValue.time(entry["startedAt"]?.stringValue ?? entry["createdAt"]?.stringValue)
        values["statusText"] = entry["status"]?.numberValue.map { String(Int($0)) } ?? "no answer"
        if let connection = entry["connectionId"]?.stringValue {
            values["connectionHref"] = settings.url(EngineRequest.path("connections", connection))
        }
        let title = "\(entry["method"]?.stringValue ?? "Request") \(entry["host"]?.stringValue ?? "")".trimmingCharacters(in: .whitespaces)
        return .view(PageView(title: title, template: "external-api-log", section: "/connections", values: TemplateValues.compact(values)))
    }

    /// Headers as `{name, value}` rows, credential values masked.
    static func headers(_ list: JSONValue?) -> [[String: Any]] {
        (list?.arrayValue ?? []).map { header in
            let name = header["name"]?.stringValue ?? ""
            let value = header["value"]?.stringValue ?? ""
            return ["name": name, "value": isCredential(name) ? masked : value]
        }
    }

    /// Whether a header's name marks its value as a credential.
    static func isCredential(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return credentialHeaders.contains(lowered) || credentialWords.contains { lowered.contains($0) }
    }
}
