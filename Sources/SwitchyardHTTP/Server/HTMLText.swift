/// Text for HTML pages that Switchyard's roles render (the connect flow, the console).
package enum HTMLText {
    /// The text with `&`, `<`, `>`, `"` and `'` replaced by entities, safe in element content
    /// and in quoted attribute values.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
