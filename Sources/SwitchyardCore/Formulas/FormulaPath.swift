/// Where a value sits inside the formula document, for error messages: keys joined by dots,
/// list positions in brackets (`fields.email.$concat[1]`). Appending is O(1); the text is built
/// only when an error is reported.
indirect enum FormulaPath: Sendable, CustomStringConvertible {
    case root
    case key(FormulaPath, String)
    case index(FormulaPath, Int)

    func appending(_ key: String) -> FormulaPath { .key(self, key) }
    func appending(_ index: Int) -> FormulaPath { .index(self, index) }

    var description: String {
        var parts: [String] = []
        var node = self
        walk: while true {
            switch node {
            case .root: break walk
            case .key(let parent, let key):
                parts.append(PathKey.isPlain(key) ? "." + key : "[" + Self.quoted(key) + "]")
                node = parent
            case .index(let parent, let index):
                parts.append("[\(index)]")
                node = parent
            }
        }
        guard !parts.isEmpty else { return "(top level)" }
        var text = parts.reversed().joined()
        if text.hasPrefix(".") { text.removeFirst() }
        return text
    }


    private static func quoted(_ key: String) -> String {
        var output = ""
        JSONWriter.writeString(key, into: &output)
        return output
    }
}
