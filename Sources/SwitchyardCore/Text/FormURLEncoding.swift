import Foundation

/// `application/x-www-form-urlencoded` text: `name=value&…`, `+` for spaces, percent-escapes.
package enum FormURLEncoding {
    /// The name–value pairs of a form body or query string, in order; a pair without `=` has an
    /// empty value, and an escape that does not decode is kept as written.
    package static func decode(_ text: Substring) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            return (name, parts.count > 1 ? unescape(parts[1]) : "")
        }
    }

    /// The pairs of `text` (see ``decode(_:)-(Substring)``).
    package static func decode(_ text: String) -> [(name: String, value: String)] {
        decode(text[...])
    }

    private static func unescape(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
