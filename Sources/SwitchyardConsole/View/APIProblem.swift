import SwitchyardCore

/// An API error as a page shows it: the message, and the fields it names (from the error's
/// `data`), so a form can put each message next to its field.
struct APIProblem: Error, Sendable, Equatable {
    /// The HTTP status.
    var status: Int
    /// The stable error key (`bad_request`, `not_found`, …).
    var key: String
    /// The message for a person.
    var message: String
    /// Field name → what is wrong with it.
    var fields: [String: String]

    /// Reads an error answer; an answer that is not the API's error shape still gives a message.
    init(_ response: EngineResponse) {
        status = response.status
        let json = response.json
        key = json?["key"]?.stringValue ?? "internal"
        message = json?["message"]?.stringValue ?? "The engine answered \(response.status)."
        var fields: [String: String] = [:]
        if case .object(let data)? = json?["data"] {
            for (name, value) in data { if let text = value.stringValue { fields[name] = text } }
        }
        self.fields = fields
    }

    /// A problem made by the console itself (a form field the console checks before sending).
    init(status: Int = 400, key: String = "bad_request", message: String, fields: [String: String] = [:]) {
        self.status = status
        self.key = key
        self.message = message
        self.fields = fields
    }

    /// The message, with a capital first letter and a final full stop, for a page.
    var sentence: String {
        let text = message.prefix(1).uppercased() + message.dropFirst()
        return text.hasSuffix(".") ? text : text + "."
    }

    /// The field messages as template values: `{"errors": {"name": "…"}}` shapes.
    var fieldValues: [String: Any] { fields.mapValues { $0 as Any } }
}

/// Why a page could not be shown: the API refused, or the engine could not be reached.
enum PageFailure: Error, Sendable {
    /// The API answered with an error.
    case problem(APIProblem)
    /// The engine API cannot be reached (a console process without the `api` role).
    case unreachable(String)
}
