extension FormulaEvaluator {
    /// The operators that read data links.
    static let linkOperators: Set<String> = [
        FormulaOperator.lookup.rawValue, FormulaOperator.findExternalRecordId.rawValue, FormulaOperator.findAppRecordId.rawValue,
    ]

    /// `$findExternalRecordId` `{dataLinkTableKey, appRecordId}`, `$findAppRecordId`
    /// `{dataLinkTableKey, externalRecordId}`, and `$lookup` with either id: the id on the other
    /// side of the link, or `null` when there is none (or the known id is `null`).
    mutating func dataLink(
        _ op: FormulaOperator, _ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath
    ) throws(FormulaError)
        -> JSONValue
    {
        let allowed: [String] =
            switch op {
            case .findExternalRecordId: ["dataLinkTableKey", "appRecordId"]
            case .findAppRecordId: ["dataLinkTableKey", "externalRecordId"]
            default: ["dataLinkTableKey", "appRecordId", "externalRecordId"]
            }
        let settings = try fields(try evaluate(operand, variables, at: path), of: op.rawValue, allowed: allowed, at: path)
        guard case .string(let table)? = settings["dataLinkTableKey"], !table.isEmpty else {
            throw FormulaError(.invalidFormula, "\(op.rawValue) needs dataLinkTableKey, the key of a data link table", at: path)
        }
        let app = settings["appRecordId"]
        let external = settings["externalRecordId"]
        guard (app == nil) != (external == nil) else {
            throw FormulaError(
                .invalidFormula, "\(op.rawValue) needs \(op == .lookup ? "exactly one of appRecordId and externalRecordId" : allowed[1])", at: path)
        }
        let direction: FormulaLinkQuery.Direction = app != nil ? .appToExternal : .externalToApp
        let known = app ?? external ?? .null
        let id: String
        switch known {
        case .null: return .null
        case .string(let text): id = text
        case .number: id = known.jsonText
        default:
            throw FormulaError(
                .typeMismatch, "\(op.rawValue) expects a record id (a string or number), got \(FormulaText.kind(known))",
                at: path.appending(app != nil ? "appRecordId" : "externalRecordId"))
        }
        guard var links else {
            throw FormulaError(
                .notSupported, "\(op.rawValue) reads data links, which only an action or flow node run for a connection can do", at: path)
        }
        let query = FormulaLinkQuery(table: table, direction: direction, id: id)
        guard let answer = links.answers[query] else {
            links.missing.insert(query)
            self.links = links
            return .null
        }
        return answer.map(JSONValue.string) ?? .null
    }

}
