import SwitchyardCore

/// Helpers for the formula tests: JSON text in, result or error out.
enum FormulaCheck {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    /// The result of a formula written as JSON text, with variables written as JSON text.
    static func result(_ formula: String, _ variables: String = "null", limits: FormulaLimits = .standard) throws -> JSONValue {
        try Formula.evaluate(json(formula), variables: json(variables), limits: limits)
    }

    /// The error of a formula, or `nil` when it succeeds.
    static func error(_ formula: JSONValue, _ variables: JSONValue = .null, limits: FormulaLimits = .standard) -> FormulaError? {
        do {
            _ = try Formula.evaluate(formula, variables: variables, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    /// The error of a formula written as JSON text.
    static func error(_ formula: String, _ variables: String = "null", limits: FormulaLimits = .standard) throws -> FormulaError? {
        error(try json(formula), try json(variables), limits: limits)
    }
}
