/// The formula language of integration configurations (Membrane's formulas): a pure evaluator
/// from a JSON value plus variables to a JSON value.
///
/// The value is walked recursively. An object with exactly one `$`-prefixed key is a formula
/// (`{"$var": "$.name"}`), as is an object with a `$eval` key beside one comparison operator;
/// every other object and list is copied with its members evaluated, and other values pass
/// through. The language is described with executed examples in `docs/formulas.md`.
package enum Formula {
    /// The operators the evaluator knows.
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

    /// Evaluates every formula inside a value, answering the data link operators (`$lookup`,
    /// `$findExternalRecordId`, `$findAppRecordId`) from `links`. A lookup `links` has no answer
    /// for gives `null` and is added to ``FormulaLinks/missing``: the caller looks those up and
    /// evaluates again (``FormulaLinks`` explains the loop).
    /// - Parameters:
    ///   - value: A JSON value that may contain formulas anywhere inside it.
    ///   - variables: What `$var` and `$copy` locators read.
    ///   - limits: Bounds on nesting, work and output size.
    ///   - links: The known answers; the lookups still missing are added to it.
    /// - Throws: A ``FormulaError`` naming the path inside `value` at fault.
    package static func evaluate(
        _ value: JSONValue, variables: JSONValue, limits: FormulaLimits = .standard, links: inout FormulaLinks
    ) throws(FormulaError) -> JSONValue {
        var evaluator = FormulaEvaluator(limits: limits)
        evaluator.links = links
        defer { links = evaluator.links ?? links }
        return try evaluator.evaluate(value, variables, at: .root)
    }

    /// Checks a formula document as far as an evaluation over empty variables reaches: unknown
    /// operators and operators given the wrong shape are refused; what depends on the values of
    /// variables (types, branches not taken) is left to the real evaluation.
    /// - Throws: The first ``FormulaError`` with the code `unknown_operator`, `invalid_formula`
    ///   or `not_supported`.
    package static func validate(_ value: JSONValue) throws(FormulaError) {
        var links = FormulaLinks()
        do {
            _ = try evaluate(value, variables: [:], links: &links)
        } catch where [FormulaError.Code.unknownOperator, .invalidFormula, .notSupported].contains(error.code) {
            throw error
        } catch {
            // A value-dependent failure: not a fault of the document.
        }
    }

    /// Whether a value uses a data link operator anywhere inside it, so its evaluation needs
    /// lookups (callers skip the lookup loop for the rest).
    package static func usesDataLinks(_ value: JSONValue) -> Bool {
        var pending = [value]
        while let next = pending.popLast() {
            switch next {
            case .object(let members):
                for (key, member) in members {
                    if FormulaEvaluator.linkOperators.contains(key) { return true }
                    pending.append(member)
                }
            case .array(let items): pending.append(contentsOf: items)
            default: break
            }
        }
        return false
    }

    /// Whether a value is a formula itself (not whether it contains one).
    /// - Parameter value: Any JSON value.
    /// - Returns: `true` for an object with a single `$`-prefixed key or with a `$eval` key.
    package static func isFormula(_ value: JSONValue) -> Bool {
        guard case .object(let members) = value else { return false }
        return FormulaEvaluator.isFormula(members)
    }
}
