import Testing

import SwitchyardCore

/// `$eval`, `$and`, `$or`, `$case`.
@Suite struct FormulaConditionTests {
    typealias Check = FormulaCheck

    func eval(_ value: JSONValue, _ op: String, _ operand: JSONValue) throws -> JSONValue {
        try Formula.evaluate(.object(["$eval": ["$plain": value], op: ["$plain": operand]]), variables: .null)
    }

    @Test("is and isNot compare whole values without conversions")
    func equality() throws {
        #expect(try eval(["a": [1, 2]], "is", ["a": [1, 2]]) == true)
        #expect(try eval(1, "is", 1.0) == true)
        #expect(try eval(-0.0, "is", 0) == true)
        #expect(try eval("1", "is", 1) == false)
        #expect(try eval(nil, "is", nil) == true)
        #expect(try eval(true, "isNot", false) == true)
        #expect(try eval([1, 2], "isNot", [2, 1]) == true)
    }

    @Test("isEmpty is true for null, empty string, list and object only, and ignores its operand")
    func emptiness() throws {
        for value: JSONValue in [nil, "", [], [:]] {
            #expect(try eval(value, "isEmpty", nil) == true, "\(value.jsonText)")
            #expect(try eval(value, "isNotEmpty", nil) == false, "\(value.jsonText)")
        }
        for value: JSONValue in [0, false, " ", [nil], ["a": nil]] {
            #expect(try eval(value, "isEmpty", nil) == false, "\(value.jsonText)")
        }
        #expect(try Check.result(#"{"$eval": null, "isEmpty": {"$unknown": 1}}"#) == true, "the operand is not evaluated")
    }

    @Test("contains finds substrings and list elements; null contains nothing; other types are errors with the path")
    func containment() throws {
        #expect(try eval("hello world", "contains", "o w") == true)
        #expect(try eval("hello", "contains", "") == true)
        #expect(try eval("hello", "contains", "H") == false)
        #expect(try eval("naïve café", "contains", "café") == true)
        #expect(try eval([1, "a", ["b": 2]], "contains", ["b": 2]) == true)
        #expect(try eval([1, "a"], "contains", "b") == false)
        #expect(try eval(nil, "contains", "x") == false)
        #expect(try eval(nil, "doesNotContain", "x") == true)
        #expect(try eval("abc", "doesNotContain", "d") == true)
        let numberValue = try Check.error(#"{"c": {"$eval": 12, "contains": 1}}"#)
        #expect(numberValue?.code == .typeMismatch && numberValue?.path == "c.$eval")
        let numberOperand = try Check.error(#"{"c": {"$eval": "12", "contains": 1}}"#)
        #expect(numberOperand?.code == .typeMismatch && numberOperand?.path == "c.contains")
    }

    @Test("oneOf and noneOf look the value up in a list and refuse anything else")
    func membership() throws {
        #expect(try eval("b", "oneOf", ["a", "b"]) == true)
        #expect(try eval(2, "oneOf", ["2"]) == false)
        #expect(try eval(nil, "oneOf", [nil]) == true)
        #expect(try eval("c", "noneOf", ["a", "b"]) == true)
        #expect(try eval("a", "noneOf", []) == true)
        let error = try Check.error(#"{"$eval": "a", "oneOf": "abc"}"#)
        #expect(error?.code == .typeMismatch && error?.path == "oneOf")
    }

    @Test("gt, gte, lt and lte order numbers numerically and strings by code point; null is never ordered")
    func ordering() throws {
        let cases: [(JSONValue, String, JSONValue, Bool)] = [
            (2, "gt", 1, true), (1, "gt", 1, false), (1, "gte", 1, true), (0.5, "lt", 1, true), (1, "lte", 1, true), (2, "lte", 1, false),
            (-1e308, "lt", 1e308, true), (10, "gt", 9, true), ("10", "gt", "9", false), ("b", "gt", "a", true), ("B", "gt", "a", false),
            ("2026-01-02T00:00:00Z", "gt", "2026-01-01T23:59:59Z", true), ("", "lt", "a", true), ("a", "gte", "a", true),
            (nil, "gt", 1, false), (nil, "lte", 1, false), (1, "lt", nil, false), (nil, "gte", nil, false),
            (.number(.nan), "gte", 1, false), (1, "lt", .number(.infinity), true),
        ]
        for (value, op, operand, expected) in cases {
            #expect(try eval(value, op, operand) == .bool(expected), "\(value.jsonText) \(op) \(operand.jsonText)")
        }
        for (value, operand): (JSONValue, JSONValue) in [(1, "1"), ("a", 1), (true, false), ([1], [2]), (["a": 1], 1), (1, [:])] {
            let error = FormulaCheck.error(["x": ["$eval": ["$plain": value], "gt": ["$plain": operand]]])
            #expect(error?.code == .typeMismatch && error?.path == "x.gt", "\(value.jsonText) gt \(operand.jsonText)")
        }
    }

    @Test("$eval needs exactly one known operator beside it")
    func evalShape() throws {
        for formula in [#"{"$eval": 1}"#, #"{"$eval": 1, "is": 1, "isNot": 2}"#, #"{"$eval": 1, "equals": 1}"#, #"{"$eval": 1, "$var": "x"}"#] {
            let error = try Check.error(#"{"w": \#(formula)}"#)
            #expect(error?.code == .invalidFormula && error?.path == "w" && error?.message.contains("isEmpty") == true, "\(formula)")
        }
        let inner = try Check.error(#"{"$eval": {"$nope": 1}, "is": 1}"#)
        #expect(inner?.path == "$eval.$nope")
    }

    @Test("$and and $or stop at the first deciding condition; empty lists are true and false; null is false")
    func logic() throws {
        #expect(try Check.result(#"{"$and": []}"#) == true)
        #expect(try Check.result(#"{"$or": []}"#) == false)
        #expect(try Check.result(#"{"$and": [true, {"$eval": 2, "gt": 1}]}"#) == true)
        #expect(try Check.result(#"{"$and": [true, null]}"#) == false)
        #expect(try Check.result(#"{"$and": [false, {"$not evaluated": 1}]}"#) == false)
        #expect(try Check.result(#"{"$or": [true, {"$not evaluated": 1}]}"#) == true)
        #expect(try Check.result(#"{"$or": [false, {"$var": "missing"}, {"$var": "flag"}]}"#, #"{"flag": true}"#) == true)
        #expect(try Check.result(#"{"$or": {"$var": "flags"}}"#, #"{"flags": [false, true]}"#) == true, "a list from the variables is data")
        let notList = try Check.error(#"{"$and": true}"#)
        #expect(notList?.code == .typeMismatch && notList?.path == "$and")
        let notBool = try Check.error(#"{"x": {"$and": [true, 1]}}"#)
        #expect(notBool?.code == .typeMismatch && notBool?.path == "x.$and[1]")
    }

    @Test("$case gives the first matching case's value, else the default or null, evaluating only what it returns")
    func cases() throws {
        let formula = #"""
            {"$case": {"cases": [
                {"filter": {"$eval": {"$var": "n"}, "lt": 0}, "value": "negative"},
                {"filter": {"$eval": {"$var": "n"}, "is": 0}, "value": {"$concat": ["ze", "ro"]}},
                {"filter": {"$eval": {"$var": "n"}, "gt": 0}, "value": {"$never": "evaluated unless chosen"}}
            ], "default": "not a number"}}
            """#
        #expect(try Check.result(formula, #"{"n": -3}"#) == "negative")
        #expect(try Check.result(formula, #"{"n": 0}"#) == "zero")
        #expect(try Check.result(formula, #"{}"#) == "not a number")
        #expect(try Check.error(formula, #"{"n": 4}"#)?.path == "$case.cases[2].value.$never")
        #expect(try Check.result(#"{"$case": {"cases": [{"filter": false, "value": 1}]}}"#) == nil)
        #expect(try Check.result(#"{"$case": {"cases": [{"filter": true}]}}"#) == nil)
    }

    @Test("$case refuses missing cases, non-list cases, cases without a filter, and non-boolean filters")
    func caseErrors() throws {
        let cases: [(String, FormulaError.Code, String)] = [
            (#"{"$case": {"default": 1}}"#, .invalidFormula, "$case"),
            (#"{"$case": {"cases": {"filter": true}}}"#, .typeMismatch, "$case.cases"),
            (#"{"$case": {"cases": [{"value": 1}]}}"#, .invalidFormula, "$case.cases[0]"),
            (#"{"$case": {"cases": [{"filter": true, "then": 1}]}}"#, .invalidFormula, "$case.cases[0].then"),
            (#"{"$case": {"cases": ["x"]}}"#, .typeMismatch, "$case.cases[0]"),
            (#"{"$case": {"cases": [{"filter": "yes"}]}}"#, .typeMismatch, "$case.cases[0].filter"),
            (#"{"$case": [1]}"#, .typeMismatch, "$case"),
        ]
        for (formula, code, path) in cases {
            let error = try Check.error(formula)
            #expect(error?.code == code && error?.path == path, "\(formula): \(String(describing: error))")
        }
    }
}
