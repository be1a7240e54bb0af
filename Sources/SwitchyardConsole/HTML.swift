import SwitchyardHTTP

/// HTML text building: every value that goes into a page passes through ``escape(_:)``.
enum HTML {
    /// The text with the HTML special characters replaced by entities (``HTMLText/escape(_:)``).
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// A message block: `error` for problems, `notice` otherwise.
    static func message(_ text: String?, error: Bool = true) -> String {
        guard let text else { return "" }
        return "<p class=\"\(error ? "error" : "notice")\" role=\"\(error ? "alert" : "status")\">\(escape(text))</p>"
    }
}
