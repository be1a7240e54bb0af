/// Why a formula could not be evaluated, and where inside the formula document.
///
/// Every failure of ``Formula/evaluate(_:variables:limits:)`` is a `FormulaError`: the evaluator
/// never traps on its input. ``path`` names the place inside the evaluated value, written as
/// object keys joined by dots and list positions in brackets (`fields.email.$concat[1]`), so a
/// person editing a configuration can find the part at fault.
package struct FormulaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, snake_case reason, sent as `data.formulaError` when the error reaches a client.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The wire value.
        package let rawValue: String

        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// An operator was given a value of the wrong shape: a missing or unknown field, a bad locator.
        package static let invalidFormula = Code("invalid_formula")
        /// An object with a single `$`-prefixed key names no operator of the language.
        package static let unknownOperator = Code("unknown_operator")
        /// A value has the wrong type for the operation (for example `gt` between a string and a number).
        package static let typeMismatch = Code("type_mismatch")
        /// Evaluation went past one of the ``FormulaLimits`` (nesting, steps, iterations, output size).
        package static let limitExceeded = Code("limit_exceeded")
        /// The operator exists in Membrane's language but Switchyard cannot evaluate it yet (`$lookup`).
        package static let notSupported = Code("not_supported")

        /// The wire value.
        package var description: String { rawValue }
    }

    /// What kind of failure this is.
    package var code: Code
    /// What went wrong, for the person who wrote the formula (never empty).
    package var message: String
    /// Where in the evaluated value the failure is, for example `fields.email.$concat[1]` (never empty;
    /// `(top level)` for the value itself).
    package var path: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What went wrong, without the path.
    ///   - path: Where inside the formula document.
    package init(_ code: Code, _ message: String, path: String) {
        self.code = code
        self.message = message
        self.path = path
    }

    /// The code, message and path in one line.
    package var description: String { "\(code): \(message) (at \(path))" }

    /// The error as the API reports it: `too_large` for a limit, `not_supported` for an operator
    /// that needs a feature not built, `bad_request` otherwise; `data` carries `formulaError`
    /// (the ``Code``) and `path`.
    package var switchyardError: SwitchyardError {
        let key: SwitchyardError.Key = switch code {
        case .limitExceeded: .tooLarge
        case .notSupported: .notSupported
        default: .badRequest
        }
        return SwitchyardError(key, "formula error at \(path): \(message)", data: ["formulaError": code.rawValue, "path": path])
    }
}

extension FormulaError {
    init(_ code: Code, _ message: String, at path: FormulaPath) {
        self.init(code, message, path: path.description)
    }

    /// The same error with more context appended to the message.
    func adding(_ context: String) -> FormulaError {
        var copy = self
        copy.message += context
        return copy
    }
}
