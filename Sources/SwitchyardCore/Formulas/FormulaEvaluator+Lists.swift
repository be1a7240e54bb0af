/// `$map`, `$iterate` and `$firstNotEmpty`.
extension FormulaEvaluator {
    /// `{"$map": {"value": <v>, "mapping": [{"from": …, "to": …}], "default": <v>}}` (Membrane's
    /// docs also spell it `mappings`; both are accepted): the `to` of the first entry whose `from`
    /// equals the value, else the default (`null` when absent).
    mutating func map(_ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue {
        let (settingsValue, evaluateParts) = try lazyOperand(operand, variables, at: path)
        let settings = try fields(settingsValue, of: "$map", allowed: ["value", "mapping", "mappings", "default"], at: path)
        let mappingKey: String
        switch (settings["mapping"], settings["mappings"]) {
        case (_?, _?): throw FormulaError(.invalidFormula, "$map has both mapping and mappings; use one", at: path)
        case (nil, nil): throw FormulaError(.invalidFormula, "$map needs mapping (a list of {from, to})", at: path)
        case (_?, nil): mappingKey = "mapping"
        case (nil, _?): mappingKey = "mappings"
        }
        let mappingPath = path.appending(mappingKey)
        guard case .array(let entries)? = settings[mappingKey] else {
            throw FormulaError(
                .typeMismatch, "$map \(mappingKey) must be a list, got \(FormulaText.kind(settings[mappingKey] ?? .null))", at: mappingPath)
        }
        let value = try part(settings["value"] ?? .null, evaluate: evaluateParts, variables, at: path.appending("value"))
        for (index, entry) in entries.enumerated() {
            let entryPath = mappingPath.appending(index)
            let entryFields = try fields(entry, of: "a $map entry", allowed: ["from", "to"], at: entryPath)
            let from = try part(entryFields["from"] ?? .null, evaluate: evaluateParts, variables, at: entryPath.appending("from"))
            if from == value {
                return try part(entryFields["to"] ?? .null, evaluate: evaluateParts, variables, at: entryPath.appending("to"))
            }
        }
        return try part(settings["default"] ?? .null, evaluate: evaluateParts, variables, at: path.appending("default"))
    }

    /// `{"$iterate": {"source": <list>, "item": <formula>}}`: `item` evaluated once per element of
    /// the source, with the variables `{"item": <element>, "parent": <the outer variables>}`. A
    /// `null` source (a missing variable) gives `null`.
    mutating func iterate(_ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue {
        let (settingsValue, evaluateParts) = try lazyOperand(operand, variables, at: path)
        let settings = try fields(settingsValue, of: "$iterate", allowed: ["source", "item"], at: path)
        guard let sourceFormula = settings["source"] else {
            throw FormulaError(.invalidFormula, "$iterate needs a source (a list)", at: path)
        }
        guard let item = settings["item"] else {
            throw FormulaError(.invalidFormula, "$iterate needs an item (what to make of each element)", at: path)
        }
        let sourcePath = path.appending("source")
        let source = try part(sourceFormula, evaluate: evaluateParts, variables, at: sourcePath)
        let elements: [JSONValue]
        switch source {
        case .null: return .null
        case .array(let items): elements = items
        default: throw FormulaError(.typeMismatch, "$iterate source must be a list, got \(FormulaText.kind(source))", at: sourcePath)
        }
        try countIterations(elements.count, at: sourcePath)
        try charge(1 + elements.count, at: path)
        let itemPath = path.appending("item")
        var results: [JSONValue] = []
        results.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let scope: JSONValue = .object(["item": element, "parent": variables])
            do {
                results.append(try part(item, evaluate: evaluateParts, scope, at: itemPath))
            } catch {
                // Only the innermost `$iterate` names its element: nested ones would repeat it per level.
                throw error.message.contains("(for source element ") ? error : error.adding(" (for source element \(index))")
            }
        }
        return .array(results)
    }

    /// `{"$firstNotEmpty": [a, b, …]}`: the first value that is not empty (see `isEmpty`),
    /// evaluating no further; `null` when all are empty.
    mutating func firstNotEmpty(_ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue {
        let (list, evaluateParts) = try lazyOperand(operand, variables, at: path)
        guard case .array(let candidates) = list else {
            throw FormulaError(.typeMismatch, "$firstNotEmpty expects a list, got \(FormulaText.kind(list))", at: path)
        }
        for (index, candidate) in candidates.enumerated() {
            let value = try part(candidate, evaluate: evaluateParts, variables, at: path.appending(index))
            if !Self.isEmpty(value) { return value }
        }
        return .null
    }
}
