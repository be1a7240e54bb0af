import Testing

import SwitchyardCore

/// Runaway formulas stop with `limit_exceeded`, never with a crash.
@Suite struct FormulaLimitTests {
    /// `depth` formulas nested inside one another, around a string.
    static func nestedFormulas(_ depth: Int) -> JSONValue {
        var value: JSONValue = "core"
        for _ in 0..<depth { value = ["$firstNotEmpty": [value]] }
        return value
    }

    static func nestedLists(_ depth: Int) -> JSONValue {
        var value: JSONValue = 1
        for _ in 0..<depth { value = [value] }
        return value
    }

    @Test("64 nested formulas evaluate; 65 stop with limit_exceeded at the innermost allowed path")
    func formulaDepth() throws {
        #expect(try Formula.evaluate(Self.nestedFormulas(64), variables: .null) == "core")
        let error = FormulaCheck.error(Self.nestedFormulas(65))
        #expect(error?.code == .limitExceeded && error?.message.contains("nested more than 64") == true)
        #expect(error?.path.hasPrefix("$firstNotEmpty[0].$firstNotEmpty[0]") == true)
    }

    @Test("Plain values nest up to the depth limit; far deeper values built in code fail cleanly")
    func valueDepth() throws {
        #expect(try Formula.evaluate(Self.nestedLists(255), variables: .null) == Self.nestedLists(255))
        #expect(FormulaCheck.error(Self.nestedLists(256))?.code == .limitExceeded)
        #expect(FormulaCheck.error(Self.nestedLists(10_000))?.code == .limitExceeded)
        let limits = FormulaLimits(maxFormulaDepth: 512, maxDepth: 2_000)
        #expect(limits.maxDepth == 1_024 && limits.maxFormulaDepth == 512, "depths are capped so the stack always suffices")
        #expect(try Formula.evaluate(Self.nestedFormulas(400), variables: .null, limits: limits) == "core")
        #expect(FormulaCheck.error(Self.nestedLists(5_000), limits: limits)?.code == .limitExceeded)
    }

    @Test("Copying deep data from the variables is not recursion: it is bounded by the output size only")
    func deepVariables() throws {
        #expect(try Formula.evaluate(["$var": "$"], variables: Self.nestedLists(10_000)) == Self.nestedLists(10_000))
    }

    @Test("$iterate stops when all sources together pass the iteration limit, before doing the work")
    func iterationLimit() throws {
        let big = JSONValue.array(Array(repeating: 1, count: 10_001))
        let error = FormulaCheck.error(["x": ["$iterate": ["source": ["$var": "big"], "item": "y"]]], ["big": big])
        #expect(error?.code == .limitExceeded && error?.path == "x.$iterate.source")
        let exact = try Formula.evaluate(
            ["$iterate": ["source": ["$var": "big"], "item": 0]], variables: ["big": .array(Array(big.arrayPrefix(10_000)))])
        #expect(exact == .array(Array(repeating: 0, count: 10_000)))
        let small = FormulaLimits(maxIterations: 5)
        #expect(
            FormulaCheck.error(
                ["a": ["$iterate": ["source": [1, 2, 3], "item": 1]], "b": ["$iterate": ["source": [1, 2, 3], "item": 1]]], limits: small)?.code
                == .limitExceeded)
    }

    @Test("Amplification through templates, concatenation and copies stops at the output size limit")
    func outputLimit() throws {
        let chunk = JSONValue.string(String(repeating: "x", count: 100_000))
        let placeholders = JSONValue.string(String(repeating: "{{v}}", count: 1_000))
        let template = FormulaCheck.error(["$tpl": ["template": placeholders, "values": ["v": ["$var": "chunk"]]]], ["chunk": chunk])
        #expect(template?.code == .limitExceeded && template?.path == "$tpl")
        let rows = JSONValue.array(Array(repeating: 1, count: 5_000))
        let concat = FormulaCheck.error(
            ["$iterate": ["source": ["$var": "rows"], "item": ["$concat": [["$var": "parent.chunk"], ["$var": "parent.chunk"]]]]],
            ["rows": rows, "chunk": chunk])
        #expect(concat?.code == .limitExceeded)
        let copies = FormulaCheck.error(["$iterate": ["source": ["$var": "rows"], "item": ["$var": "parent"]]], ["rows": rows, "chunk": chunk])
        #expect(copies?.code == .limitExceeded)
        #expect(FormulaCheck.error(["$plain": chunk], limits: FormulaLimits(maxOutputSize: 1_000))?.code == .limitExceeded)
    }

    @Test("The step limit bounds work that produces little output, such as scanning long lists")
    func stepLimit() throws {
        let list = JSONValue.array((0..<2_000).map { .number(Double($0)) })
        let scan: JSONValue = ["$iterate": ["source": ["$var": "list"], "item": ["$eval": ["$var": "item"], "oneOf": ["$var": "parent.list"]]]]
        let error = FormulaCheck.error(scan, ["list": list])
        #expect(error?.code == .limitExceeded && error?.message.contains("1000000 steps") == true)
        #expect(FormulaCheck.error(["a": 1], limits: FormulaLimits(maxSteps: 0))?.code == .limitExceeded)
    }

    @Test("Negative limits count as zero and fail cleanly")
    func negativeLimits() throws {
        let limits = FormulaLimits(maxFormulaDepth: -1, maxDepth: -5, maxSteps: -1, maxIterations: -1, maxOutputSize: Int.min)
        #expect(limits.maxSteps == 0 && limits.maxOutputSize == 0)
        #expect(FormulaCheck.error(["$var": "a"], limits: limits)?.code == .limitExceeded)
    }
}

extension JSONValue {
    fileprivate func arrayPrefix(_ count: Int) -> ArraySlice<JSONValue> {
        if case .array(let items) = self { return items.prefix(count) }
        return []
    }
}
