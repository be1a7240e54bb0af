import SwitchyardHTTP

/// HTML text building: every value that goes into a page passes through ``escape(_:)``.
enum HTML {
    /// The text with the HTML special characters replaced by entities (``HTMLText/escape(_:)``).
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// A hidden form field.
    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
    }

    /// A labelled input.
    static func field(_ name: String, label: String, type: String = "text", value: String = "", autocomplete: String) -> String {
        """
        <p><label for="\(escape(name))">\(escape(label))</label>
        <input id="\(escape(name))" name="\(escape(name))" type="\(escape(type))" value="\(escape(value))" \
        autocomplete="\(escape(autocomplete))" required></p>
        """
    }

    /// A message block: `error` for problems, `notice` otherwise.
    static func message(_ text: String?, error: Bool = true) -> String {
        guard let text else { return "" }
        return "<p class=\"\(error ? "error" : "notice")\" role=\"\(error ? "alert" : "status")\">\(escape(text))</p>"
    }
}
