import Foundation

/// The first form of an HTML page, as a test browser posts it: its `action` and its hidden
/// fields (the consent pages of the OAuth test servers, Switchyard's connect form).
package struct HTMLForm: Sendable {
    /// The form's `action` attribute.
    package var action: String
    /// The hidden inputs, in page order.
    package var hiddenFields: [(String, String)]

    /// Reads the first `<form>` of a page.
    /// - Throws: When the page has no form or the form no action.
    package init(page html: String) throws {
        guard let tag = html.range(of: "<form").map({ html[$0.lowerBound...].prefix { $0 != ">" } }) else {
            throw TestServerError("the page has no form: \(html.prefix(500))")
        }
        guard let action = Self.attribute("action", in: tag) else { throw TestServerError("the form has no action: \(tag)") }
        self.action = action
        var fields: [(String, String)] = []
        var rest = html[...]
        while let range = rest.range(of: "<input type=\"hidden\"") {
            let input = rest[range.lowerBound...].prefix { $0 != ">" }
            if let name = Self.attribute("name", in: input), let value = Self.attribute("value", in: input) { fields.append((name, value)) }
            rest = rest[range.upperBound...]
        }
        hiddenFields = fields
    }

    private static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let start = tag.range(of: "\(name)=\"") else { return nil }
        let rest = tag[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return unescape(rest[..<end])
    }

    private static func unescape(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}
