import Hummingbird
import NIOCore
import SwitchyardCore

/// The named values a browser request carries: its query parameters, then, for a POST, the
/// fields of its form or JSON body (a JSON body's `input` object and a form's `input.<name>`
/// fields are what the user typed into a connect form).
struct RequestFields: Sendable {
    /// Every field but the user's input, body fields over query parameters.
    var fields: [String: String] = [:]
    /// The user's input, when the request carries any.
    var input: [String: JSONValue]?

    /// The largest body read for fields.
    static let bodyLimit = 1 << 20

    /// Reads the fields of a request; a POST's body is collected into the request, so later
    /// readers see it too.
    static func read(_ request: inout Request) async throws -> RequestFields {
        var result = RequestFields()
        for (name, value) in request.uri.queryParameters { result.fields[String(name)] = String(value) }
        guard request.method == .post else { return result }
        let text = String(buffer: try await request.collectBody(upTo: bodyLimit))
        if case .object(let members)? = try? JSONValue.parse(text) {
            for (name, value) in members where name != "input" { result.fields[name] = value.stringValue ?? value.jsonText }
            if case .object(let values)? = members["input"] { result.input = values }
            return result
        }
        for (name, value) in FormURLEncoding.decode(text) {
            if name.hasPrefix("input.") {
                result.input = result.input ?? [:]
                result.input?[String(name.dropFirst(6))] = .string(value)
            } else {
                result.fields[name] = value
            }
        }
        return result
    }
}
