/// `$eval`, `$and`, `$or` and `$case`: conditions and the choices made with them.
extension FormulaEvaluator {
    /// `{"$eval": <value>, "<operator>": <operand>}`.
    mutating func comparison(_ subject: JSONValue, _ members: [String: JSONValue], _ variables: JSONValue, at path: FormulaPath) throws(FormulaError)
        -> JSONValue
    {
        let others = members.keys.filter { $0 != "$eval" }.sorted()
        guard others.count == 1, let name = others.first, let op = ComparisonOperator(rawValue: name) else {
            let found = others.isEmpty ? "none" : others.map { Self.quoted($0) }.joined(separator: ", ")
            throw FormulaError(
                .invalidFormula, "$eval needs exactly one operator beside it (one of \(ComparisonOperator.names)); found \(found)", at: path)
        }
        let value = try evaluate(subject, variables, at: path.appending("$eval"))
        let operandPath = path.appending(name)
        switch op {
        case .isEmpty: return .bool(Self.isEmpty(value))
        case .isNotEmpty: return .bool(!Self.isEmpty(value))
        default: break
        }
        let operand = try evaluate(members[name] ?? .null, variables, at: operandPath)
        switch op {
        case .is: return .bool(value == operand)
        case .isNot: return .bool(value != operand)
        case .contains: return .bool(try contains(value, operand, at: path, op: name))
        case .doesNotContain: return .bool(!(try contains(value, operand, at: path, op: name)))
        case .oneOf, .noneOf:
            let list: [JSONValue]
            switch operand {
            case .array(let items): list = items
            default:
                throw FormulaError(.typeMismatch, "\(name) expects a list to look in, got \(FormulaText.kind(operand))", at: operandPath)
            }
            try countSteps(list.count, at: operandPath)
            let found = list.contains(value)
            return .bool(op == .oneOf ? found : !found)
        case .gt, .gte, .lt, .lte:
            guard let order = try order(value, operand, at: operandPath, op: name) else { return .bool(false) }
            switch op {
            case .gt: return .bool(order > 0)
            case .gte: return .bool(order >= 0)
            case .lt: return .bool(order < 0)
            default: return .bool(order <= 0)
            }
        case .isEmpty, .isNotEmpty:
            return .bool(false)  // Handled above.
        }
    }

    /// Empty: `null`, `""`, `[]` and `{}`.
    static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        case .array(let items): items.isEmpty
        case .object(let members): members.isEmpty
        case .bool, .number: false
        }
    }

    /// Substring of a string, element of a list; `null` contains nothing.
    private mutating func contains(_ value: JSONValue, _ operand: JSONValue, at path: FormulaPath, op: String) throws(FormulaError) -> Bool {
        switch value {
        case .null: return false
        case .string(let text):
            guard case .string(let part) = operand else {
                throw FormulaError(
                    .typeMismatch, "\(op) on a string expects a string to look for, got \(FormulaText.kind(operand))", at: path.appending(op))
            }
            try countSteps(1 + text.utf8.count / 64, at: path)
            return part.isEmpty || text.contains(part)
        case .array(let items):
            try countSteps(items.count, at: path)
            return items.contains(operand)
        default:
            throw FormulaError(
                .typeMismatch, "\(op) works on a string or a list, the value is \(FormulaText.kind(value))", at: path.appending("$eval"))
        }
    }

    /// -1, 0 or 1 for two numbers or two strings; `nil` (every comparison false) when either is
    /// `null` or a number is NaN.
    private func order(_ value: JSONValue, _ operand: JSONValue, at path: FormulaPath, op: String) throws(FormulaError) -> Int? {
        switch (value, operand) {
        case (.null, _), (_, .null): return nil
        case (.number(let left), .number(let right)):
            guard !left.isNaN, !right.isNaN else { return nil }
            return left < right ? -1 : left == right ? 0 : 1
        case (.string(let left), .string(let right)):
            return left < right ? -1 : left == right ? 0 : 1
        default:
            throw FormulaError(
                .typeMismatch, "\(op) compares two numbers or two strings, got \(FormulaText.kind(value)) and \(FormulaText.kind(operand))", at: path)
        }
    }

    /// `{"$and": [conditions]}` and `{"$or": [conditions]}`, evaluated left to right and stopping
    /// at the first that decides.
    mutating func logical(_ op: FormulaOperator, _ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue
    {
        let (list, evaluateParts) = try lazyOperand(operand, variables, at: path)
        guard case .array(let conditions) = list else {
            throw FormulaError(.typeMismatch, "\(op.rawValue) expects a list of conditions, got \(FormulaText.kind(list))", at: path)
        }
        let decisive = op == .or
        for (index, condition) in conditions.enumerated() {
            if try self.condition(condition, evaluate: evaluateParts, variables, at: path.appending(index), in: op.rawValue) == decisive {
                return .bool(decisive)
            }
        }
        return .bool(!decisive)
    }

    /// `{"$case": {"cases": [{"filter": <condition>, "value": <v>}], "default": <v>}}`: the value of
    /// the first case whose filter is true, else the default (`null` when absent).
    mutating func switchCase(_ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue {
        let (settingsValue, evaluateParts) = try lazyOperand(operand, variables, at: path)
        let settings = try fields(settingsValue, of: "$case", allowed: ["cases", "default"], at: path)
        let casesPath = path.appending("cases")
        let cases: [JSONValue]
        switch settings["cases"] {
        case .array(let items)?: cases = items
        case nil: throw FormulaError(.invalidFormula, "$case needs cases (a list of {filter, value})", at: path)
        case let other?: throw FormulaError(.typeMismatch, "$case cases must be a list, got \(FormulaText.kind(other))", at: casesPath)
        }
        for (index, entry) in cases.enumerated() {
            let entryPath = casesPath.appending(index)
            let caseFields = try fields(entry, of: "a $case case", allowed: ["filter", "value"], at: entryPath)
            guard let filter = caseFields["filter"] else {
                throw FormulaError(.invalidFormula, "a $case case needs a filter", at: entryPath)
            }
            if try condition(filter, evaluate: evaluateParts, variables, at: entryPath.appending("filter"), in: "a $case filter") {
                return try part(caseFields["value"] ?? .null, evaluate: evaluateParts, variables, at: entryPath.appending("value"))
            }
        }
        return try part(settings["default"] ?? .null, evaluate: evaluateParts, variables, at: path.appending("default"))
    }
}
