import Testing

import SwitchyardCore

/// `$var`, `$copy`, `$plain`, `$tpl`, `$concat`, `$firstName`, `$lastName`, and the walk itself.
@Suite struct FormulaValueTests {
    typealias Check = FormulaCheck

    @Test("Plain values, lists and objects pass through, with formulas inside them evaluated")
    func walkEvaluatesMembers() throws {
        #expect(try Check.result(#"[1, "a", null, true, {"x": [{"$var": "v"}]}]"#, #"{"v": 2}"#) == [1, "a", nil, true, ["x": [2]]])
        #expect(try Check.result(#"{"$var": "a", "other": 1}"#) == ["$var": "a", "other": 1], "a $-key beside other keys is not a formula")
        #expect(try Check.result("{}") == [:])
        #expect(Formula.isFormula(["$var": "a"]) && Formula.isFormula(["$eval": 1, "is": 1]) && !Formula.isFormula(["a": 1]))
    }

    @Test("Locators read $.a.b[0], a.b, $ alone, digits as keys, and escaped dots and brackets")
    func locatorForms() throws {
        let variables = #"{"a": {"b": [10, 20]}, "dot.key": {"br[x": 5}, "back\\slash": 6, "o": {"0": "zero"}, "$id": 7}"#
        let cases: [(String, JSONValue)] = [
            (#"$.a.b[0]"#, 10), (#"a.b[1]"#, 20), (#"$.a.b.1"#, 20), (#"a.b"#, [10, 20]), (#"$.dot\\.key.br\\[x"#, 5),
            (#"back\\\\slash"#, 6), (#"o[0]"#, "zero"), (#"o.0"#, "zero"), (#"$id"#, 7), (#"$[0]"#, nil),
            (#"a.b[2]"#, nil), (#"a.b[99999999999999999999999]"#, nil), (#"a.b.x"#, nil), (#"a.b[0].deeper"#, nil), (#"nothing.here"#, nil),
        ]
        for (locator, expected) in cases {
            #expect(try Check.result(#"{"$var": "\#(locator)"}"#, variables) == expected, "\(locator)")
        }
        let all = try Check.json(variables)
        #expect(try Check.result(#"{"$var": "$"}"#, variables) == all)
        #expect(try Check.result(#"{"$var": "$[1]"}"#, "[5, 6]") == 6)
    }

    @Test("Malformed locators are invalid_formula errors at the $var")
    func badLocators() throws {
        for locator in ["", "$.", "a.", "a..b", "a[", "a[x]", "a[]", "a[-1]", "a[0]b", "a]", #"a\\"#, "a.[0]", "$..a"] {
            let error = try Check.error(#"{"f": {"$var": "\#(locator)"}}"#)
            #expect(error?.code == .invalidFormula && error?.path == "f.$var", "\(locator): \(String(describing: error))")
        }
        let notString = try Check.error(#"{"$var": 3}"#)
        #expect(notString?.code == .typeMismatch && notString?.message.contains("got a number") == true)
    }

    @Test("A locator may itself be computed by a formula")
    func computedLocator() throws {
        #expect(
            try Check.result(#"{"$var": {"$concat": ["$.fields.", {"$var": "$.which"}]}}"#, #"{"which": "email", "fields": {"email": "e"}}"#) == "e")
    }

    @Test("Values read from the variables are data: $-keys inside them are never evaluated")
    func variablesAreNotEvaluated() throws {
        let variables = #"{"payload": {"$var": "$.secret", "x": {"$bogus": 1}}, "secret": "s"}"#
        #expect(try Check.result(#"{"$var": "$.payload"}"#, variables) == ["$var": "$.secret", "x": ["$bogus": 1]])
        #expect(try Check.result(#"{"$copy": "$.payload.x"}"#, variables) == ["$bogus": 1])
    }

    @Test("$plain returns its operand verbatim, formulas and unknown $-keys included")
    func plainIsVerbatim() throws {
        #expect(try Check.result(#"{"$plain": {"$var": "a", "$nope": [{"$concat": 1}]}}"#) == ["$var": "a", "$nope": [["$concat": 1]]])
        #expect(try Check.result(#"{"$plain": null}"#) == nil)
    }

    @Test("$tpl replaces {{key}} and {key} with string forms and keeps other braces")
    func templates() throws {
        let formula = #"""
            {"$tpl": {"template": "{{a}}-{ a }-{{ b }}-{c}-{}-{{}}-{{x}}-{x}-{{{a}}}-}{-{",
                      "values": {"a": 1.0, "b": {"$var": "v"}, "c": [1, {"k": null}]}}}
            """#
        #expect(try Check.result(formula, #"{"v": "é😀"}"#) == #"1-1-é😀-[1,{"k":null}]-{}-{{}}-{{x}}-{x}-{1}-}{-{"#)
        #expect(try Check.result(#"{"$tpl": {"template": "no placeholders"}}"#) == "no placeholders")
        #expect(try Check.result(#"{"$tpl": {"template": "{{n}}{{n}}", "values": {"n": null}}}"#) == "")
        #expect(try Check.result(#"{"$tpl": {"$var": "t"}}"#, #"{"t": {"template": "{w}!", "values": {"w": "hi"}}}"#) == "hi!")
        let braces = String(repeating: "{", count: 20_000) + "a" + String(repeating: "}", count: 20_000)
        #expect(
            try Formula.evaluate(["$tpl": ["template": .string(braces), "values": ["a": "x"]]], variables: .null)
                == .string(braces.replacingFirstPlaceholder()))
    }

    @Test("$tpl refuses a missing or non-string template, non-object values and unknown fields, naming the field")
    func templateErrors() throws {
        let cases: [(String, FormulaError.Code, String)] = [
            (#"{"t": {"$tpl": {"values": {}}}}"#, .invalidFormula, "t.$tpl"),
            (#"{"t": {"$tpl": {"template": ["x"]}}}"#, .typeMismatch, "t.$tpl.template"),
            (#"{"t": {"$tpl": {"template": "x", "values": [1]}}}"#, .typeMismatch, "t.$tpl.values"),
            (#"{"t": {"$tpl": {"template": "x", "vals": {}}}}"#, .invalidFormula, "t.$tpl.vals"),
            (#"{"t": {"$tpl": "Hello"}}"#, .typeMismatch, "t.$tpl"),
        ]
        for (formula, code, path) in cases {
            let error = try Check.error(formula)
            #expect(error?.code == code && error?.path == path, "\(formula): \(String(describing: error))")
        }
    }

    @Test("$concat joins string forms of a list or of values with a delimiter, leaving out nulls")
    func concatenation() throws {
        #expect(
            try Check.result(#"{"$concat": ["a", 1, 1.5, -0.0, true, null, "", 1e21, 0.1, 9007199254740991]}"#)
                == "a11.50true1e+210.19007199254740991")
        #expect(try Check.result(#"{"$concat": {"values": ["x", null, "", "y"], "delimiter": "/"}}"#) == "x//y")
        #expect(try Check.result(#"{"$concat": {"values": ["x", "y"]}}"#) == "xy")
        #expect(try Check.result(#"{"$concat": []}"#) == "")
        #expect(try Check.result(#"{"$concat": {"$var": "parts"}}"#, #"{"parts": ["p", "q"]}"#) == "pq")
    }

    @Test("$concat refuses numbers, strings, bad values and bad delimiters, naming the path")
    func concatenationErrors() throws {
        let cases: [(String, FormulaError.Code, String)] = [
            (#"{"a": [{"$concat": 1}]}"#, .typeMismatch, "a[0].$concat"),
            (#"{"$concat": "ab"}"#, .typeMismatch, "$concat"),
            (#"{"$concat": {"values": "ab"}}"#, .typeMismatch, "$concat.values"),
            (#"{"$concat": {"delimiter": ","}}"#, .invalidFormula, "$concat"),
            (#"{"$concat": {"values": [], "delimiter": 1}}"#, .typeMismatch, "$concat.delimiter"),
            (#"{"$concat": {"values": [], "separator": ","}}"#, .invalidFormula, "$concat.separator"),
        ]
        for (formula, code, path) in cases {
            let error = try Check.error(formula)
            #expect(error?.code == code && error?.path == path, "\(formula): \(String(describing: error))")
        }
    }

    @Test("$firstName and $lastName split at any whitespace; one word has no last name; null stays null")
    func personNames() throws {
        let cases: [(String, JSONValue, JSONValue)] = [
            ("Ada King Lovelace", "Ada", "Lovelace"), ("Ada Lovelace", "Ada", "Lovelace"), ("Plato", "Plato", nil),
            ("  \t\n ", nil, nil), ("", nil, nil), ("José\u{00A0}María\tGarcía", "José", "García"), ("李 小龍", "李", "小龍"),
        ]
        for (name, first, last) in cases {
            let value = JSONValue.string(name)
            #expect(try Formula.evaluate(["$firstName": value], variables: .null) == first, "\(name)")
            #expect(try Formula.evaluate(["$lastName": value], variables: .null) == last, "\(name)")
        }
        #expect(try Check.result(#"{"$lastName": {"$var": "missing"}}"#) == nil)
        let error = try Check.error(#"{"n": {"$firstName": 12}}"#)
        #expect(error?.code == .typeMismatch && error?.path == "n.$firstName")
    }

    @Test("Unknown operators name the operator and the path; Membrane's unsupported ones are not_supported")
    func unknownAndUnsupportedOperators() throws {
        let unknown = try Check.error(#"{"fields": {"email": {"$concat": ["a", {"$Var": "x"}]}}}"#)
        #expect(unknown?.code == .unknownOperator && unknown?.path == "fields.email.$concat[1].$Var" && unknown?.message.contains("$Var") == true)
        let bare = try Check.error(#"{"$": 1}"#)
        #expect(bare?.code == .unknownOperator && bare?.path == "$")
        // Without data links (no connection), the link operators are not_supported.
        let lookup = try Check.error(#"{"id": {"$lookup": {"dataLinkTableKey": "contacts", "appRecordId": "a1"}}}"#)
        #expect(lookup?.code == .notSupported && lookup?.path == "id.$lookup" && lookup?.message.contains("data links") == true)
        #expect(lookup?.switchyardError.key == .notSupported, "an unsupported operator reaches the API as not_supported")
        for name in ["$dataSchemaRef", "$jsonata", "$formula", "$ui"] {
            #expect(FormulaCheck.error([name: "x"])?.code == .notSupported, "\(name)")
        }
        let oddKey = FormulaCheck.error(["a b": ["c.d": ["$x": 1]]])
        #expect(oddKey?.path == #"["a b"]["c.d"].$x"#)
    }

    @Test("Errors report the first fault in sorted key order, and map to a SwitchyardError with code and path")
    func errorReporting() throws {
        let error = try Check.error(#"{"b": {"$two": 1}, "a": {"$one": 1}}"#)
        #expect(error?.path == "a.$one")
        let mapped = error?.switchyardError
        #expect(mapped?.key == .badRequest && mapped?.data == ["formulaError": "unknown_operator", "path": "a.$one"])
        #expect(mapped?.message.hasPrefix("formula error at a.$one: unknown formula operator $one") == true)
        let limit = FormulaCheck.error(["$concat": ["x"]], limits: FormulaLimits(maxSteps: 1))
        #expect(limit?.switchyardError.key == .tooLarge)
        #expect(error?.description.hasPrefix("unknown_operator: unknown formula operator $one") == true)
    }
}

extension String {
    /// `{{{…{a}…}}}` with the innermost `{a}` replaced by `x`: what `$tpl` makes of deep braces.
    fileprivate func replacingFirstPlaceholder() -> String {
        let opens = prefix { $0 == "{" }.count
        return String(repeating: "{", count: opens - 2) + "x" + String(repeating: "}", count: opens - 2)
    }
}
