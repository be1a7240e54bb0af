/// One evaluation: walks the value, dispatches formulas, and keeps the counters that enforce
/// ``FormulaLimits``. A value type used once per ``Formula/evaluate(_:variables:limits:)`` call.
struct FormulaEvaluator {
    let limits: FormulaLimits
    /// Data link answers, when the evaluation has them (`nil`: the link operators fail).
    var links: FormulaLinks?
    private var depth = 0
    private var formulaDepth = 0
    private var steps = 0
    private var iterations = 0
    private var outputSize = 0

    init(limits: FormulaLimits) { self.limits = limits }

    /// Whether an object is a formula: a single `$`-prefixed key, or a `$eval` key.
    static func isFormula(_ members: [String: JSONValue]) -> Bool {
        if members["$eval"] != nil { return true }
        guard members.count == 1, let key = members.keys.first else { return false }
        return key.hasPrefix("$")
    }

    /// Evaluates a value: formulas are replaced by their results, lists and objects are walked.
    mutating func evaluate(_ value: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue {
        try countSteps(1, at: path)
        guard depth < limits.maxDepth else {
            throw FormulaError(.limitExceeded, "the value is nested more than \(limits.maxDepth) levels deep", at: path)
        }
        depth += 1
        defer { depth -= 1 }
        switch value {
        case .object(let members):
            if Self.isFormula(members) { return try formula(members, variables, at: path) }
            try charge(1 + members.count, at: path)
            var result: [String: JSONValue] = [:]
            result.reserveCapacity(members.count)
            // Sorted, so that the first error reported does not depend on hashing order.
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                result[key] = try evaluate(member, variables, at: path.appending(key))
            }
            return .object(result)
        case .array(let items):
            try charge(1 + items.count, at: path)
            var result: [JSONValue] = []
            result.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                result.append(try evaluate(item, variables, at: path.appending(index)))
            }
            return .array(result)
        default:
            try charge(Self.weight(of: value), at: path)
            return value
        }
    }

    private mutating func formula(_ members: [String: JSONValue], _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue {
        guard formulaDepth < limits.maxFormulaDepth else {
            throw FormulaError(.limitExceeded, "formulas are nested more than \(limits.maxFormulaDepth) deep", at: path)
        }
        formulaDepth += 1
        defer { formulaDepth -= 1 }
        if let subject = members["$eval"] { return try comparison(subject, members, variables, at: path) }
        guard members.count == 1, let (key, operand) = members.first else {
            throw FormulaError(.invalidFormula, "a formula object must have exactly one key", at: path)
        }
        let operandPath = path.appending(key)
        guard let op = FormulaOperator(rawValue: key) else {
            if FormulaOperator.membraneOnly.contains(key) {
                throw FormulaError(.notSupported, "\(key) is part of Membrane's formula language but Switchyard does not support it", at: operandPath)
            }
            throw FormulaError(
                .unknownOperator, "unknown formula operator \(key) (wrap the value in $plain to keep a $-key literally)", at: operandPath)
        }
        switch op {
        case .variable, .copy: return try variable(op, operand, variables, at: operandPath)
        case .plain:
            try chargeDeep(operand, at: operandPath)
            return operand
        case .lookup, .findExternalRecordId, .findAppRecordId: return try dataLink(op, operand, variables, at: operandPath)
        case .template: return try template(operand, variables, at: operandPath)
        case .concat: return try concat(operand, variables, at: operandPath)
        case .firstName, .lastName: return try personName(op, operand, variables, at: operandPath)
        case .and, .or: return try logical(op, operand, variables, at: operandPath)
        case .switchCase: return try switchCase(operand, variables, at: operandPath)
        case .map: return try map(operand, variables, at: operandPath)
        case .iterate: return try iterate(operand, variables, at: operandPath)
        case .firstNotEmpty: return try firstNotEmpty(operand, variables, at: operandPath)
        case .eval:
            // Unreachable: an object with a `$eval` key is handled above.
            return try comparison(operand, members, variables, at: path)
        }
    }

    // MARK: Variables and names

    private mutating func variable(_ op: FormulaOperator, _ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError)
        -> JSONValue
    {
        let locatorValue = try evaluate(operand, variables, at: path)
        guard case .string(let text) = locatorValue else {
            throw FormulaError(
                .typeMismatch, "\(op.rawValue) expects a locator string such as $.a.b[0], got \(FormulaText.kind(locatorValue))", at: path)
        }
        let locator: VariableLocator
        do {
            locator = try VariableLocator(parsing: text)
        } catch {
            throw FormulaError(.invalidFormula, "\(op.rawValue) locator \(Self.quoted(text)) is not valid: \(error.reason)", at: path)
        }
        let found = locator.resolve(in: variables)
        try chargeDeep(found, at: path)
        return found
    }

    private mutating func personName(_ op: FormulaOperator, _ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError)
        -> JSONValue
    {
        let name = try evaluate(operand, variables, at: path)
        switch name {
        case .null: return .null
        case .string(let text):
            let part = op == .firstName ? PersonName.first(of: text) : PersonName.last(of: text)
            return part.map(JSONValue.string) ?? .null
        default:
            throw FormulaError(.typeMismatch, "\(op.rawValue) expects a full name (a string), got \(FormulaText.kind(name))", at: path)
        }
    }

    // MARK: Shapes shared by the operators

    /// The fields of an operator's settings object, refusing unknown ones.
    func fields(_ value: JSONValue, of op: String, allowed: [String], at path: FormulaPath) throws(FormulaError) -> [String: JSONValue] {
        guard case .object(let fields) = value else {
            throw FormulaError(
                .typeMismatch, "\(op) expects an object with \(allowed.joined(separator: ", ")), got \(FormulaText.kind(value))", at: path)
        }
        for key in fields.keys.sorted() where !allowed.contains(key) {
            throw FormulaError(
                .invalidFormula, "\(op) has an unknown field \(Self.quoted(key)) (allowed: \(allowed.joined(separator: ", ")))",
                at: path.appending(key))
        }
        return fields
    }

    /// An operand whose parts are evaluated only when needed (`$case`, `$map`, `$iterate`,
    /// `$and`, `$or`, `$firstNotEmpty`). A literal object or list is returned as written, to be
    /// evaluated part by part; a formula in its place is evaluated now, and its result is data
    /// (`evaluateParts` false): parts of data are never evaluated.
    mutating func lazyOperand(_ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> (
        value: JSONValue, evaluateParts: Bool
    ) {
        if case .object(let members) = operand, Self.isFormula(members) {
            return (try evaluate(operand, variables, at: path), false)
        }
        return (operand, true)
    }

    /// Evaluates a part of a lazily evaluated operand, or returns it when the operand was data.
    mutating func part(_ value: JSONValue, evaluate evaluateParts: Bool, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError)
        -> JSONValue
    {
        evaluateParts ? try evaluate(value, variables, at: path) : value
    }

    /// A condition's result: `true`/`false`, with `null` (a missing variable) counting as false.
    mutating func condition(_ value: JSONValue, evaluate evaluateParts: Bool, _ variables: JSONValue, at path: FormulaPath, in op: String)
        throws(FormulaError) -> Bool
    {
        let result = try part(value, evaluate: evaluateParts, variables, at: path)
        switch result {
        case .bool(let flag): return flag
        case .null: return false
        default: throw FormulaError(.typeMismatch, "\(op) expects a condition that is true or false, got \(FormulaText.kind(result))", at: path)
        }
    }

    // MARK: Limits

    mutating func countSteps(_ count: Int, at path: FormulaPath) throws(FormulaError) {
        let (total, overflow) = steps.addingReportingOverflow(count)
        guard !overflow, total <= limits.maxSteps else {
            throw FormulaError(.limitExceeded, "the evaluation takes more than \(limits.maxSteps) steps", at: path)
        }
        steps = total
    }

    mutating func countIterations(_ count: Int, at path: FormulaPath) throws(FormulaError) {
        let (total, overflow) = iterations.addingReportingOverflow(count)
        guard !overflow, total <= limits.maxIterations else {
            throw FormulaError(.limitExceeded, "$iterate would visit more than \(limits.maxIterations) elements in this evaluation", at: path)
        }
        iterations = total
    }

    mutating func charge(_ units: Int, at path: FormulaPath) throws(FormulaError) {
        let (total, overflow) = outputSize.addingReportingOverflow(units)
        guard !overflow, total <= limits.maxOutputSize else {
            throw FormulaError(.limitExceeded, "the result would be larger than \(limits.maxOutputSize) size units", at: path)
        }
        outputSize = total
    }

    /// Charges a whole value (one copied from the variables or written under `$plain`). The walk
    /// charges each list or object before visiting its members, so it never does more work than
    /// the budget it is allowed to use, and it keeps its own stack (no recursion).
    mutating func chargeDeep(_ value: JSONValue, at path: FormulaPath) throws(FormulaError) {
        var pending = [value]
        while let next = pending.popLast() {
            try charge(Self.weight(of: next), at: path)
            switch next {
            case .array(let items): pending.append(contentsOf: items)
            case .object(let members): pending.append(contentsOf: members.values)
            default: break
            }
        }
    }

    /// A value's own size: one, plus its member count or its UTF-8 length.
    static func weight(of value: JSONValue) -> Int {
        switch value {
        case .array(let items): 1 + items.count
        case .object(let members): 1 + members.count
        case .string(let text): 1 + text.utf8.count
        default: 1
        }
    }

    /// A string for a message: quoted, and cut to 60 characters.
    static func quoted(_ text: String) -> String {
        var output = ""
        JSONWriter.writeString(text.count > 60 ? String(text.prefix(60)) + "…" : text, into: &output)
        return output
    }
}
