import Foundation

/// A `pattern` or `patternProperties` regular expression.
///
/// JSON Schema patterns are ECMA-262 regular expressions, matched anywhere in the string (an
/// unanchored search: `^` and `$` anchor only when written). They run on ICU through
/// `NSRegularExpression` after a small translation that keeps the differences that matter for
/// validation ECMA-like:
/// - `$` outside a class means the very end of the string (ICU's `$` also matches before a final
///   line break, which would let `"abc\n"` pass `^[a-z]+$`);
/// - `\d` and `\w` mean ASCII `[0-9]` and `[A-Za-z0-9_]`, and `\D` and `\W` (outside a class)
///   their complements (ICU's are Unicode-wide);
/// - inside a class, `[` and `&` are literal (ICU reads nested classes and `&&` intersections);
/// - `[]` matches nothing and `[^]` any character.
/// Other syntax is ICU's, which agrees with ECMA on what schemas normally use.
struct JSONSchemaPattern: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe.
    /// The pattern as written in the schema.
    let source: String
    private let expression: NSRegularExpression

    /// Compiles `source`, or returns `nil` when it is not a valid regular expression.
    init?(_ source: String) {
        guard let expression = try? NSRegularExpression(pattern: Self.translate(source)) else { return nil }
        self.source = source
        self.expression = expression
    }

    /// Whether the pattern matches somewhere in `text`.
    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Rewrites the ECMA constructs ICU reads differently (see the type's documentation).
    static func translate(_ source: String) -> String {
        let scalars = Array(source.unicodeScalars)
        var output = ""
        var inClass = false
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count {
                let next = scalars[index + 1]
                switch (next, inClass) {
                case ("d", false): output += "[0-9]"
                case ("D", false): output += "[^0-9]"
                case ("w", false): output += "[A-Za-z0-9_]"
                case ("W", false): output += "[^A-Za-z0-9_]"
                case ("d", true): output += "0-9"
                case ("w", true): output += "A-Za-z0-9_"
                default:
                    output += "\\"
                    output.unicodeScalars.append(next)
                }
                index += 2
                continue
            }
            if inClass {
                switch scalar {
                case "]": inClass = false; output += "]"
                case "[": output += "\\["
                case "&": output += "\\&"
                default: output.unicodeScalars.append(scalar)
                }
                index += 1
                continue
            }
            switch scalar {
            case "[":
                let negated = index + 1 < scalars.count && scalars[index + 1] == "^"
                let closeAt = index + (negated ? 2 : 1)
                if closeAt < scalars.count, scalars[closeAt] == "]" {
                    output += negated ? "[\\s\\S]" : "(?!)"
                    index = closeAt + 1
                    continue
                }
                inClass = true
                output += negated ? "[^" : "["
                index = closeAt
                continue
            case "$":
                output += "\\z"
            default:
                output.unicodeScalars.append(scalar)
            }
            index += 1
        }
        return output
    }
}
