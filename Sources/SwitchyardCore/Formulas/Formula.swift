/// The formula language of integration configurations (Membrane's formulas): a pure evaluator
/// from a JSON value plus variables to a JSON value.
///
/// The value is walked recursively. An object with exactly one `$`-prefixed key is a formula
/// (`{"$var": "$.name"}`), as is an object with a `$eval` key beside one comparison operator;
/// every other object and list is copied with its members evaluated, and other values pass
/// through. The language is described with executed examples in `docs/formulas.md`.
package enum Formula {
    /// The operators the evaluator knows (`$lookup` among them, which fails with `not_supported`).
    package static let operatorNames: [String] = FormulaOperator.allCases.map(\.rawValue)

    /// The operators of `$eval` (`is`, `gt`, …).
    package static let comparisonOperatorNames: [String] = ComparisonOperator.allCases.map(\.rawValue)

    /// Evaluates every formula inside a value.
    /// - Parameters:
    ///   - value: A JSON value that may contain formulas anywhere inside it.
    ///   - variables: What `$var` and `$copy` locators read (`$` is this whole value).
    ///   - limits: Bounds on nesting, work and output size.
    /// - Returns: The value with every formula replaced by its result.
    /// - Throws: A ``FormulaError`` naming the path inside `value` at fault; nothing else, and
    ///   never a trap, whatever the input.
    package static func evaluate(_ value: JSONValue, variables: JSONValue, limits: FormulaLimits = .standard) throws(FormulaError) -> JSONValue {
        var evaluator = FormulaEvaluator(limits: limits)
        return try evaluator.evaluate(value, variables, at: .root)
    }

    /// Whether a value is a formula itself (not whether it contains one).
    /// - Parameter value: Any JSON value.
    /// - Returns: `true` for an object with a single `$`-prefixed key or with a `$eval` key.
    package static func isFormula(_ value: JSONValue) -> Bool {
        guard case .object(let members) = value else { return false }
        return FormulaEvaluator.isFormula(members)
    }
}
