import Foundation
import NIOHTTP1
import SwitchyardCore

/// Redacts what the external API log and log lines show of a request and its responses.
///
/// - Headers named `authorization`, `proxy-authorization`, `cookie`, `set-cookie`, `x-api-key`,
///   or whose name holds a sensitive word, have their value replaced by `[redacted]`.
/// - Query parameters, form fields (`name=value`) and JSON fields whose name holds a sensitive
///   word have their value replaced.
/// - Sensitive words, case-insensitive: `token`, `secret`, `password`, `passwd`, `credential`,
///   `api-key`, `apikey`, `api_key`, `auth`, `signature`, `key`. Over-redaction (`author`,
///   `monkey`) is accepted as the price of never missing one.
/// - Secret values are replaced wherever they appear (URL, any header, bodies, messages), raw,
///   percent-encoded and JSON-escaped: the request's explicit ``OutboundRequest/secrets``,
///   and the values found in its sensitive headers, query parameters and body fields, so a
///   server echoing a credential back (httpbin's `/headers`) does not show it either. Found
///   values shorter than 4 characters are redacted where found but not replaced elsewhere.
struct Redactor: Sendable {
    static let placeholder = "[redacted]"

    private static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    ]
    private static let sensitiveWords = [
        "token", "secret", "password", "passwd", "credential", "api-key", "apikey", "api_key", "auth", "signature", "key",
    ]

    // The patterns are built once: a regex literal in a function is compiled again on every call.
    // `Regex` is not `Sendable` only because its output type need not be; its compiled program is
    // set once (atomically) and matching only reads it, so sharing these constants is safe.
    nonisolated(unsafe) private static let pairPattern = #/(?:^|[&;?\s])([^=&;?\s"]+)=([^&;\s"]*)/#
    nonisolated(unsafe) private static let delimitedPairPattern = #/(^|[&;?\s])([^=&;?\s"]+)=([^&;\s"]*)/#
    nonisolated(unsafe) private static let jsonFieldPattern = #/"((?:[^"\\]|\\.)*)"\s*:\s*("(?:[^"\\]|\\.)*"|[-0-9.eE+]+)/#
    nonisolated(unsafe) private static let jsonValuePattern = #/("((?:[^"\\]|\\.)*)"\s*:\s*)("(?:[^"\\]|\\.)*"|[-0-9.eE+]+|true|false|null)/#
    nonisolated(unsafe) private static let cutJSONString = #/("((?:[^"\\]|\\.)*)"\s*:\s*)"(?:[^"\\]|\\.)*$/#
    private static let sensitiveWordBytes = sensitiveWords.map { Array($0.utf8) }

    /// Whether a text may hold a field or parameter with a sensitive name: one of the sensitive
    /// words in any case, a percent escape (a form name is decoded before it is judged), or any
    /// non-ASCII character (some lowercase to ASCII letters, as the Kelvin sign to `k`). A text
    /// with none of them has nothing the patterns would redact, so they are not run on it.
    static func mayNameSomethingSensitive(_ text: String) -> Bool {
        var lowered = Array(text.utf8)
        for index in lowered.indices {
            let byte = lowered[index]
            if byte == UInt8(ascii: "%") || byte >= 0x80 { return true }
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { lowered[index] = byte | 0x20 }
        }
        return sensitiveWordBytes.contains { occurs($0, in: lowered) }
    }

    /// Every form of every secret value, longest first.
    private let secretForms: [String]
    /// The longest form, for how far past a cut a secret may reach.
    private let longestSecret: Int

    /// Whether a header, parameter or field name marks its value as secret.
    static func isSensitiveName(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return sensitiveHeaders.contains(lowered) || sensitiveWords.contains { lowered.contains($0) }
    }

    /// A redactor for one request: its explicit secrets and the values its sensitive parts carry.
    init(request: OutboundRequest) {
        var values = Set(request.secrets.filter { !$0.isEmpty })
        var found: [String] = []
        for (name, value) in request.headers where Self.isSensitiveName(name) {
            found.append(contentsOf: Self.credentialParts(ofHeaderValue: value, name: name))
        }
        found.append(contentsOf: Self.sensitivePairs(in: Self.query(of: request.url)).map(\.value))
        if let body = request.body {
            // The first 256 KiB: enough for any credential field, bounded for large uploads.
            let text = String(decoding: body.prefix(256 << 10), as: UTF8.self)
            found.append(contentsOf: Self.sensitivePairs(in: text).map(\.value))
            found.append(contentsOf: Self.sensitiveJSONValues(in: text))
        }
        values.formUnion(found.filter { $0.count >= 4 && $0 != Self.placeholder })
        var forms = Set<String>()
        for value in values {
            forms.insert(value)
            forms.insert(Self.percentEncoded(value, spaceAsPlus: false))
            forms.insert(Self.percentEncoded(value, spaceAsPlus: true))
            let json = JSONValue.string(value).jsonText
            forms.insert(String(json.dropFirst().dropLast()))
        }
        secretForms = forms.filter { !$0.isEmpty }.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        longestSecret = secretForms.first?.utf8.count ?? 0
    }

    /// Replaces every secret value in `text`.
    func text(_ text: String) -> String {
        guard !secretForms.isEmpty else { return text }
        // ASCII text can hold a secret only byte for byte: search the bytes first, and go
        // through Foundation's (slower, equivalence-aware) search only for a form that is there.
        let bytes = Array(text.utf8)
        let ascii = bytes.allSatisfy { $0 < 0x80 }
        var result = text
        for form in secretForms where ascii ? Self.occurs(Array(form.utf8), in: bytes) : result.contains(form) {
            result = result.replacingOccurrences(of: form, with: Self.placeholder)
        }
        return result
    }

    /// Whether `needle` occurs in `haystack`, byte for byte.
    static func occurs(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == first, haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    /// The URL with sensitive query values and every secret value redacted.
    func url(_ url: String) -> String {
        let fragmentSplit = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let parts = fragmentSplit[0].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var result = String(parts[0])
        if parts.count == 2 {
            result += "?" + Self.redactPairs(in: String(parts[1]))
        }
        if fragmentSplit.count == 2 { result += "#" + fragmentSplit[1] }
        return text(result)
    }

    /// Headers as logged.
    func headers(_ headers: HTTPHeaders) -> [ExternalAPILogEntry.Header] {
        headers.map { name, value in
            ExternalAPILogEntry.Header(name: name, value: Self.isSensitiveName(name) ? Self.placeholder : text(value))
        }
    }

    /// The start of a body as logged: at most `limit` bytes of UTF-8 text with sensitive
    /// fields and secrets redacted, `…` when cut; `nil` when the body is empty or not text.
    func preview(_ body: some Collection<UInt8>, limit: Int) -> String? {
        guard !body.isEmpty, limit > 0 else { return nil }
        // Look a little past the cut, so a secret or field value straddling it is still recognised.
        let window = Array(body.prefix(limit + max(longestSecret, 256) + 64))
        var decoded: String?
        for trim in 0...min(3, window.count - 1) {
            if let text = String(validating: window.dropLast(trim), as: UTF8.self) {
                decoded = text
                break
            }
        }
        guard var text = decoded else { return nil }
        text = Self.redactJSONFields(in: text)
        text = Self.redactPairs(in: text)
        text = self.text(text)
        let cut = body.count > limit || text.utf8.count > limit
        if text.utf8.count > limit {
            var prefix = ""
            for character in text {
                if prefix.utf8.count + character.utf8.count > limit { break }
                prefix.append(character)
            }
            // A placeholder cut in two is completed.
            let rest = text.dropFirst(prefix.count)
            for length in 1..<Self.placeholder.count
            where prefix.hasSuffix(Self.placeholder.prefix(length)) && rest.hasPrefix(Self.placeholder.dropFirst(length)) {
                prefix += Self.placeholder.dropFirst(length)
                break
            }
            text = prefix
        }
        // A sensitive JSON string cut before its closing quote.
        if Self.mayNameSomethingSensitive(text) {
            text = text.replacing(Self.cutJSONString) { match in
                Self.isSensitiveName(String(match.output.2)) ? "\(match.output.1)\"\(Self.placeholder)" : String(match.output.0)
            }
        }
        // The start of a secret at the very end of the cut.
        for form in secretForms where cut && form.count > 1 {
            for length in stride(from: form.count - 1, through: 1, by: -1) where text.hasSuffix(form.prefix(length)) {
                text = String(text.dropLast(length)) + Self.placeholder
                break
            }
        }
        return cut ? text + "…" : text
    }

    // MARK: - Finding sensitive values

    private static func query(of url: String) -> String {
        let withoutFragment = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = withoutFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? String(parts[1]) : ""
    }

    /// `name=value` pairs (separated by `&`, `;` or whitespace) whose decoded name is sensitive,
    /// with decoded values.
    private static func sensitivePairs(in text: String) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        guard mayNameSomethingSensitive(text) else { return [] }
        for match in text.matches(of: pairPattern) {
            let name = decodeFormComponent(String(match.output.1))
            guard isSensitiveName(name) else { continue }
            let raw = String(match.output.2)
            pairs.append((name, decodeFormComponent(raw)))
            pairs.append((name, raw))
        }
        return pairs
    }

    /// String and number values of JSON fields whose name is sensitive (found textually, so
    /// any nesting and invalid JSON are covered).
    private static func sensitiveJSONValues(in text: String) -> [String] {
        guard mayNameSomethingSensitive(text) else { return [] }
        return text.matches(of: jsonFieldPattern).compactMap { match in
            guard isSensitiveName(String(match.output.1)) else { return nil }
            let value = String(match.output.2)
            guard value.hasPrefix("\"") else { return value }
            if case .string(let decoded)? = try? JSONValue.parse(value) { return decoded }
            return String(value.dropFirst().dropLast())
        }
    }

    /// The parts of a credential header's value worth hiding anywhere: the value, the
    /// credential after its scheme, a Basic credential decoded and its password, cookie values.
    private static func credentialParts(ofHeaderValue value: String, name: String) -> [String] {
        var parts = [value]
        let pieces = value.split(separator: " ", maxSplits: 1)
        if pieces.count == 2 {
            let credential = String(pieces[1]).trimmingWhitespace
            parts.append(credential)
            if pieces[0].lowercased() == "basic", let data = Data(base64Encoded: credential),
                let decoded = String(data: data, encoding: .utf8)
            {
                parts.append(decoded)
                if let colon = decoded.firstIndex(of: ":") { parts.append(String(decoded[decoded.index(after: colon)...])) }
            }
        }
        if name.lowercased().contains("cookie") {
            for cookie in value.split(separator: ";") {
                let pair = cookie.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { parts.append(String(pair[1]).trimmingWhitespace) }
            }
        }
        return parts
    }

    // MARK: - Redacting in place

    /// Replaces the values of sensitive `name=value` pairs.
    private static func redactPairs(in text: String) -> String {
        guard mayNameSomethingSensitive(text) else { return text }
        return text.replacing(delimitedPairPattern) { match in
            isSensitiveName(decodeFormComponent(String(match.output.2)))
                ? "\(match.output.1)\(match.output.2)=\(placeholder)" : String(match.output.0)
        }
    }

    /// Replaces the values of sensitive JSON fields (strings, numbers, literals).
    private static func redactJSONFields(in text: String) -> String {
        guard mayNameSomethingSensitive(text) else { return text }
        return text.replacing(jsonValuePattern) { match in
            isSensitiveName(String(match.output.2)) ? "\(match.output.1)\"\(placeholder)\"" : String(match.output.0)
        }
    }

    private static func decodeFormComponent(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }

    private static func percentEncoded(_ text: String, spaceAsPlus: Bool) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let encoded = text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
        return spaceAsPlus ? encoded.replacingOccurrences(of: "%20", with: "+") : encoded
    }
}
