import SwitchyardCore
import Testing

/// The data link operators: what they ask for, how answers come back, and the shapes they refuse.
@Suite struct FormulaLinkTests {
    typealias Check = FormulaCheck

    /// Plays the caller's loop: evaluate, answer what is missing from `table`, evaluate again.
    static func evaluate(_ formula: String, _ variables: String = "null", table: [FormulaLinkQuery: String]) throws -> (JSONValue, rounds: Int) {
        var links = FormulaLinks()
        for round in 1...5 {
            links.missing = []
            let result = try Formula.evaluate(try Check.json(formula), variables: try Check.json(variables), links: &links)
            if links.missing.isEmpty { return (result, round) }
            for query in links.missing { links.answers[query] = .some(table[query]) }
        }
        throw FormulaError(.limitExceeded, "too many rounds", path: "(top level)")
    }

    @Test("Each operator asks for its lookup, answers from the known links, and gives null for no link")
    func operatorsAnswerFromLinks() throws {
        let table: [FormulaLinkQuery: String] = [
            .init(table: "contacts", direction: .appToExternal, id: "app-1"): "ext-9",
            .init(table: "contacts", direction: .externalToApp, id: "ext-9"): "app-1",
            .init(table: "contacts", direction: .externalToApp, id: "42"): "app-42",
        ]
        let formula = """
            {"a": {"$findExternalRecordId": {"dataLinkTableKey": "contacts", "appRecordId": {"$var": "$.id"}}},
             "b": {"$findAppRecordId": {"dataLinkTableKey": "contacts", "externalRecordId": "ext-9"}},
             "c": {"$lookup": {"dataLinkTableKey": "contacts", "externalRecordId": 42}},
             "d": {"$lookup": {"dataLinkTableKey": "contacts", "appRecordId": "nobody"}},
             "e": {"$lookup": {"dataLinkTableKey": "contacts", "appRecordId": {"$var": "$.missing"}}}}
            """
        let (result, rounds) = try Self.evaluate(formula, #"{"id": "app-1"}"#, table: table)
        #expect(result == ["a": "ext-9", "b": "app-1", "c": "app-42", "d": .null, "e": .null], "\(result.jsonText)")
        #expect(rounds == 2, "one round to ask, one to answer")
        // A lookup whose id comes from another lookup takes one more round.
        let inner = #"{"$findExternalRecordId": {"dataLinkTableKey": "contacts", "appRecordId": "app-1"}}"#
        let chained = #"{"$findAppRecordId": {"dataLinkTableKey": "contacts", "externalRecordId": "# + inner + "}}"
        let (again, chainedRounds) = try Self.evaluate(chained, table: table)
        #expect(again == "app-1" && chainedRounds == 3)
        let plain = try Check.json(#"{"x": {"$var": "$.y"}}"#)
        let linked = try Check.json(chained)
        #expect(Formula.usesDataLinks(linked) && !Formula.usesDataLinks(plain))
    }

    @Test("Bad settings are invalid_formula naming the problem; without links the operators are not_supported")
    func badShapes() throws {
        let noTable = try Check.error(#"{"$lookup": {"appRecordId": "a"}}"#)
        #expect(noTable?.code == .invalidFormula && noTable?.message.contains("dataLinkTableKey") == true)
        let both = try Check.error(#"{"$lookup": {"dataLinkTableKey": "t", "appRecordId": "a", "externalRecordId": "b"}}"#)
        #expect(both?.code == .invalidFormula && both?.message.contains("exactly one") == true)
        let membrane = try Check.error(#"{"$lookup": {"query": {"email": "x"}, "createIfNotFound": true}}"#)
        #expect(membrane?.code == .invalidFormula && membrane?.message.contains("createIfNotFound") == true, "\(String(describing: membrane))")
        let wrongSide = try Check.error(#"{"$findAppRecordId": {"dataLinkTableKey": "t", "appRecordId": "a"}}"#)
        #expect(wrongSide?.code == .invalidFormula && wrongSide?.message.contains("appRecordId") == true)
        let objectID = try Check.error(#"{"$findExternalRecordId": {"dataLinkTableKey": "t", "appRecordId": {"a": 1}}}"#)
        #expect(objectID?.code == .typeMismatch && objectID?.path == "$findExternalRecordId.appRecordId")
        let noLinks = try Check.error(#"{"$findExternalRecordId": {"dataLinkTableKey": "t", "appRecordId": "a"}}"#)
        #expect(noLinks?.code == .notSupported && noLinks?.message.contains("connection") == true)
        #expect(try Check.result(#"{"$findAppRecordId": {"dataLinkTableKey": "t", "externalRecordId": null}}"#) == .null, "a null id needs no link")
    }
}
