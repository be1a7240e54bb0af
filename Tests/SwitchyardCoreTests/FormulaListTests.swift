import Testing

import SwitchyardCore

/// `$map`, `$iterate`, `$firstNotEmpty`.
@Suite struct FormulaListTests {
    typealias Check = FormulaCheck

    @Test("$map returns the first matching to, else the default, else null; mapping and mappings both work")
    func mapping() throws {
        let formula = #"""
            {"$map": {"value": {"$var": "s"}, "default": "other", "mapping": [
                {"from": "a", "to": 1}, {"from": "a", "to": 2}, {"from": null, "to": "none"}, {"from": "b", "to": {"$var": "t"}}
            ]}}
            """#
        #expect(try Check.result(formula, #"{"s": "a"}"#) == 1)
        #expect(try Check.result(formula, #"{}"#) == "none")
        #expect(try Check.result(formula, #"{"s": "b", "t": [1]}"#) == [1])
        #expect(try Check.result(formula, #"{"s": "z"}"#) == "other")
        #expect(try Check.result(#"{"$map": {"value": 1, "mappings": [{"from": "1", "to": "x"}]}}"#) == nil)
        #expect(try Check.result(#"{"$map": {"value": [1, {"a": 2}], "mapping": [{"from": [1, {"a": 2}], "to": "deep"}]}}"#) == "deep")
        #expect(try Check.result(#"{"$map": {"value": 1, "mapping": [{"from": 1, "to": "one"}, {"from": 2, "to": {"$skipped": 1}}]}}"#) == "one")
    }

    @Test("$map refuses missing, doubled or non-list mappings and malformed entries")
    func mappingErrors() throws {
        let cases: [(String, FormulaError.Code, String)] = [
            (#"{"$map": {"value": 1}}"#, .invalidFormula, "$map"),
            (#"{"$map": {"value": 1, "mapping": [], "mappings": []}}"#, .invalidFormula, "$map"),
            (#"{"$map": {"value": 1, "mapping": {"from": 1}}}"#, .typeMismatch, "$map.mapping"),
            (#"{"$map": {"value": 1, "mappings": [1]}}"#, .typeMismatch, "$map.mappings[0]"),
            (#"{"$map": {"value": 1, "mapping": [{"from": 1, "into": 2}]}}"#, .invalidFormula, "$map.mapping[0].into"),
            (#"{"$map": "x"}"#, .typeMismatch, "$map"),
        ]
        for (formula, code, path) in cases {
            let error = try Check.error(formula)
            #expect(error?.code == code && error?.path == path, "\(formula): \(String(describing: error))")
        }
    }

    @Test("$iterate evaluates item per element with item and parent; nested iterations reach parent.parent")
    func iteration() throws {
        let variables = ##"{"prefix": "#", "groups": [{"name": "g1", "members": ["a", "b"]}, {"name": "g2", "members": []}]}"##
        let formula = #"""
            {"$iterate": {"source": {"$var": "groups"}, "item": {
                "group": {"$var": "item.name"},
                "labels": {"$iterate": {"source": {"$var": "item.members"},
                    "item": {"$concat": [{"$var": "parent.parent.prefix"}, {"$var": "parent.item.name"}, "/", {"$var": "item"}]}}}
            }}}
            """#
        #expect(try Check.result(formula, variables) == [["group": "g1", "labels": ["#g1/a", "#g1/b"]], ["group": "g2", "labels": []]])
        #expect(try Check.result(#"{"$iterate": {"source": {"$var": "missing"}, "item": 1}}"#) == nil)
        #expect(try Check.result(#"{"$iterate": {"source": [], "item": {"$nope": 1}}}"#) == [])
        #expect(
            try Check.result(#"{"$iterate": {"source": [1, 2], "item": {"$var": "$"}}}"#, "7") == [
                ["item": 1, "parent": 7], ["item": 2, "parent": 7],
            ])
        #expect(
            try Check.result(#"{"$iterate": {"$var": "spec"}}"#, #"{"spec": {"source": [1, 2], "item": {"$var": "item"}}}"#) == [
                ["$var": "item"], ["$var": "item"],
            ],
            "settings read from the variables are data: their item is not evaluated")
    }

    @Test("$iterate refuses missing parts and non-list sources, and says which element failed")
    func iterationErrors() throws {
        let cases: [(String, FormulaError.Code, String)] = [
            (#"{"$iterate": {"item": 1}}"#, .invalidFormula, "$iterate"),
            (#"{"$iterate": {"source": []}}"#, .invalidFormula, "$iterate"),
            (#"{"$iterate": {"source": "abc", "item": 1}}"#, .typeMismatch, "$iterate.source"),
            (#"{"$iterate": {"source": [], "item": 1, "as": "x"}}"#, .invalidFormula, "$iterate.as"),
        ]
        for (formula, code, path) in cases {
            let error = try Check.error(formula)
            #expect(error?.code == code && error?.path == path, "\(formula): \(String(describing: error))")
        }
        let element = try Check.error(#"{"$iterate": {"source": [1, 2, "x"], "item": {"$eval": {"$var": "item"}, "gt": 0}}}"#)
        #expect(element?.code == .typeMismatch && element?.path == "$iterate.item.gt" && element?.message.hasSuffix("(for source element 2)") == true)
    }

    @Test("$firstNotEmpty returns the first non-empty value and evaluates nothing after it")
    func firstNotEmpty() throws {
        #expect(try Check.result(#"{"$firstNotEmpty": [null, "", [], {}, 0, 1]}"#) == 0)
        #expect(try Check.result(#"{"$firstNotEmpty": [{"$var": "a"}, {"$var": "b"}, {"$unreached": 1}]}"#, #"{"b": false}"#) == false)
        #expect(try Check.result(#"{"$firstNotEmpty": [null, ""]}"#) == nil)
        #expect(try Check.result(#"{"$firstNotEmpty": []}"#) == nil)
        #expect(try Check.result(#"{"$firstNotEmpty": {"$var": "list"}}"#, #"{"list": ["", {"$var": "x"}]}"#) == ["$var": "x"])
        let error = try Check.error(#"{"$firstNotEmpty": "a"}"#)
        #expect(error?.code == .typeMismatch && error?.path == "$firstNotEmpty")
    }
}
