/// The operators of the formula language: the key of a one-key object (`{"$var": "$.name"}`).
enum FormulaOperator: String, CaseIterable, Sendable {
    case variable = "$var"
    case template = "$tpl"
    case concat = "$concat"
    case switchCase = "$case"
    case eval = "$eval"
    case and = "$and"
    case or = "$or"
    case map = "$map"
    case iterate = "$iterate"
    case firstNotEmpty = "$firstNotEmpty"
    case copy = "$copy"
    case firstName = "$firstName"
    case lastName = "$lastName"
    case lookup = "$lookup"
    case findExternalRecordId = "$findExternalRecordId"
    case findAppRecordId = "$findAppRecordId"
    case plain = "$plain"

    /// Operators of Membrane's language that Switchyard recognises but cannot evaluate: they fail
    /// with `not_supported` rather than `unknown_operator`.
    static let membraneOnly: Set<String> = [
        "$dataSchemaRef", "$jsonata", "$formula", "$ui",
    ]
}

/// The operators of `$eval` (`{"$eval": <value>, "<operator>": <operand>}`).
enum ComparisonOperator: String, CaseIterable, Sendable {
    case `is`, isNot, isEmpty, isNotEmpty, contains, doesNotContain, oneOf, noneOf, gt, gte, lt, lte

    static let names = allCases.map(\.rawValue).joined(separator: ", ")
}
