/// First and last names from a full name, as `$firstName` and `$lastName` compute them.
///
/// The name is split at whitespace (runs of spaces, tabs, line breaks count as one). The first
/// name is the first word; the last name is the last word when there are at least two
/// ("Ada King Lovelace": "Ada", "Lovelace"; middle names are dropped). A single word is a
/// first name only: its last name is `null`. A blank name has neither.
enum PersonName {
    static func first(of fullName: String) -> String? {
        words(fullName).first.map(String.init)
    }

    static func last(of fullName: String) -> String? {
        let words = words(fullName)
        guard words.count > 1, let last = words.last else { return nil }
        return String(last)
    }

    private static func words(_ fullName: String) -> [Substring] {
        fullName.split(whereSeparator: \.isWhitespace)
    }
}
