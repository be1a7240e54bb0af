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

    /// Form text from name–value pairs: each part percent-escaped, spaces as `%20`.
    package static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    /// The characters a form part keeps as they are.
    private static let unreserved: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        set.insert(charactersIn: "-._~")
        return set
    }()

    private static func escape(_ part: String) -> String {
        part.addingPercentEncoding(withAllowedCharacters: unreserved) ?? part
    }

    private static func unescape(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
