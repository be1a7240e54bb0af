import SwitchyardCore

/// The queued-task limits form shared by the workspace and customer pages: one field per limit,
/// empty to inherit, a whole number from 1 to 1,000,000 otherwise.
enum LimitsForm {
    /// The limits, their labels and what they bound.
    static let limits: [(name: String, label: String)] = [
        ("runningPerConnection", "Running jobs per connection"),
        ("runningPerTenant", "Running jobs per customer"),
        ("queuePerConnection", "Waiting jobs per connection"),
    ]

    /// Reads the form.
    /// - Returns: The API body, the input as typed, and a message per field that is not valid.
    static func read(_ form: ConsoleForm) -> (body: JSONValue, input: [String: String], fields: [String: String]) {
        var body: [String: JSONValue] = [:]
        var input: [String: String] = [:]
        var fields: [String: String] = [:]
        for limit in limits {
            let text = form[limit.name].trimmingWhitespace()
            input[limit.name] = text
            if text.isEmpty {
                body[limit.name] = .null
            } else if let value = Int(text), (1...1_000_000).contains(value) {
                body[limit.name] = .number(Double(value))
            } else {
                fields[limit.name] = "must be empty (inherit) or a whole number from 1 to 1,000,000"
            }
        }
        return (.object(body), input, fields)
    }

    /// The template rows for an API limits answer (`{limits, effective}`), showing `input` and
    /// each field's error when a form comes back with errors.
    static func rows(_ answer: JSONValue, input: [String: String]?, errors: [String: String] = [:]) -> [[String: Any]] {
        limits.map { limit in
            let set = answer["limits"]?[limit.name]?.numberValue.map { String(Int($0)) } ?? ""
            let effective = answer["effective"]?[limit.name]?.numberValue.map { String(Int($0)) } ?? "no cap"
            var row: [String: Any] = ["name": limit.name, "label": limit.label, "value": input?[limit.name] ?? set, "effective": effective]
            if let error = errors[limit.name] { row["error"] = error }
            return row
        }
    }
}
