/// The `format` values that are checked. Every other format is an annotation only and never
/// fails, as JSON Schema 2020-12 allows. Formats apply to strings only; other values pass.
///
/// What is checked (loosely, to catch mistakes rather than to enforce every RFC corner):
/// - `date`: RFC 3339 `full-date`, exactly `YYYY-MM-DD`, month 01–12, day valid for the month
///   (29 February only in Gregorian leap years).
/// - `date-time`: RFC 3339 `date-time`: a valid `date`, `T` (or `t`), `HH:MM:SS` with hour
///   00–23, minute 00–59, second 00–60 (a leap second is accepted on any day), an optional
///   fraction (`.` and one or more digits), then `Z` (or `z`) or an offset `+HH:MM` / `-HH:MM`
///   (hour 00–23, minute 00–59). A space instead of `T`, or a missing offset, fails.
/// - `email`: exactly one `@`; before it 1–64 characters with no white space or control
///   characters; after it either an address literal in brackets (`[192.0.2.1]`, any non-empty
///   text without white space or brackets) or a host name of at most 253 characters made of
///   dot-separated labels of 1–63 characters, each letters, digits, `-` or non-ASCII characters,
///   not starting or ending with `-`. A dot in the host name is not required (`admin@localhost`).
/// - `uri`: an absolute URI (RFC 3986): a scheme (an ASCII letter, then letters, digits, `+`, `-`
///   or `.`), `:`, then the rest with only printable ASCII, none of space `<` `>` `"` `{` `}`
///   `|` `\` `^` `` ` ``, and every `%` followed by two hex digits. Relative references fail.
enum JSONSchemaFormat: String, Sendable {
    case dateTime = "date-time"
    case date
    case email
    case uri

    /// What a failing string is told.
    var message: String {
        switch self {
        case .dateTime: "must be a date-time (RFC 3339, like 2024-05-01T12:00:00Z)"
        case .date: "must be a date (YYYY-MM-DD)"
        case .email: "must be an email address"
        case .uri: "must be an absolute URI"
        }
    }

    /// Whether `text` has this format.
    func accepts(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        switch self {
        case .date: return bytes.count == 10 && Self.isDate(bytes[...])
        case .dateTime: return Self.isDateTime(bytes)
        case .email: return Self.isEmail(text)
        case .uri: return Self.isURI(bytes)
        }
    }

    private static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        let start = bytes.startIndex
        guard bytes.count == 10, bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
            let year = number(bytes, start, 4), let month = number(bytes, start + 5, 2), let day = number(bytes, start + 8, 2),
            (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    private static func isDateTime(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 20, isDate(bytes[0..<10]), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            isTime(bytes, 11, maximumHour: 23, seconds: true)
        else { return false }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let digitsStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > digitsStart else { return false }
        }
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return index + 1 == bytes.count
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            return index + 6 == bytes.count && isTime(bytes, index + 1, maximumHour: 23, seconds: false)
        default:
            return false
        }
    }

    /// `HH:MM` or `HH:MM:SS` at `start` (seconds up to 60 for a leap second).
    private static func isTime(_ bytes: [UInt8], _ start: Int, maximumHour: Int, seconds: Bool) -> Bool {
        guard start + (seconds ? 8 : 5) <= bytes.count, bytes[start + 2] == UInt8(ascii: ":"),
            let hour = number(bytes[...], start, 2), let minute = number(bytes[...], start + 3, 2),
            hour <= maximumHour, minute <= 59
        else { return false }
        guard seconds else { return true }
        guard bytes[start + 5] == UInt8(ascii: ":"), let second = number(bytes[...], start + 6, 2) else { return false }
        return second <= 60
    }

    private static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0].unicodeScalars
        let domain = parts[1]
        guard (1...64).contains(local.count), !local.contains(where: isSpaceOrControl) else { return false }
        if domain.hasPrefix("["), domain.hasSuffix("]"), domain.count > 2 {
            return !domain.dropFirst().dropLast().unicodeScalars.contains { isSpaceOrControl($0) || $0 == "[" || $0 == "]" }
        }
        guard (1...253).contains(domain.unicodeScalars.count) else { return false }
        return domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let scalars = label.unicodeScalars
            guard (1...63).contains(scalars.count), scalars.first != "-", scalars.last != "-" else { return false }
            return scalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "-": true
                default: scalar.value > 0x7F && !isSpaceOrControl(scalar)
                }
            }
        }
    }

    private static func isURI(_ bytes: [UInt8]) -> Bool {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, isLetter(bytes[0]),
            bytes[1..<colon].allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return false }
        let forbidden = Set(" <>\"{}|\\^`".utf8)
        var index = colon + 1
        while index < bytes.count {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F, !forbidden.contains(byte) else { return false }
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    /// The decimal number in `count` ASCII digits at `start`, or `nil` when any is not a digit.
    private static func number(_ bytes: ArraySlice<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.endIndex else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private static func isSpaceOrControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
    }
}
