import Foundation
import Testing

import SwitchyardCore

/// Thousands of random and mutated formulas: the evaluator must never trap, and every failure
/// must be a `FormulaError` with a message and a path. Seeded, so every run sees the same cases.
@Suite struct FormulaFuzzTests {
    /// SplitMix64: small, fast, and the same sequence on every platform.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// A number in `0..<bound` (`bound` > 0).
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

        /// True once in `odds` draws.
        mutating func oneIn(_ odds: Int) -> Bool { below(odds) == 0 }

        mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
    }

    static let operators = Formula.operatorNames + ["$findAppRecordId", "$jsonata", "$nope", "$", "$VAR", "$eval"]
    static let comparisons = Formula.comparisonOperatorNames + ["equals", "$var", ""]
    static let fieldNames = [
        "template", "values", "delimiter", "cases", "filter", "value", "default", "mapping", "mappings",
        "from", "to", "source", "item", "query", "x", "$var", "$plain",
    ]
    static let locators = [
        "$", "$.a", "a.b[0]", "$.list", "list[3].name", "$.name", "item", "parent.list", "parent.item", "$.big",
        "a\\.b", "$.", "a..b", "a[x]", "[", "]", "\\", "", "$.deep[0][0][0]", "names[1]", "$.items.0",
    ]
    static let texts = [
        "", " ", "a", "Ada King Lovelace", "{{a}}", "{a} {b}", "{{{", "}}", "{ {a} }", "é😀", "$var", "1", "true",
        "\u{0}", "\\", "line\nbreak", "\u{00A0}", "{{x}}{{y}}{z}",
    ]

    static func scalar(_ random: inout Random) -> JSONValue {
        switch random.below(8) {
        case 0: return .null
        case 1: return .bool(random.oneIn(2))
        case 2: return .number(Double(random.below(2_000)) - 1_000)
        case 3: return .number(random.pick([0.5, -0.0, 1e308, -1e308, 9_007_199_254_740_994, .leastNonzeroMagnitude, .infinity, .nan, 1e21]))
        case 4: return .string(random.pick(locators))
        default: return .string(random.pick(texts))
        }
    }

    /// A random value, usually a formula, sometimes of the wrong shape.
    static func formula(_ random: inout Random, depth: Int) -> JSONValue {
        if depth <= 0 || random.oneIn(5) { return scalar(&random) }
        let inner = depth - 1
        func any(_ random: inout Random) -> JSONValue { formula(&random, depth: inner) }
        func list(_ random: inout Random) -> JSONValue { .array((0..<random.below(4)).map { _ in formula(&random, depth: inner) }) }
        switch random.below(22) {
        case 0: return ["$var": random.oneIn(6) ? any(&random) : .string(random.pick(locators))]
        case 1: return ["$copy": .string(random.pick(locators))]
        case 2: return ["$plain": any(&random)]
        case 3:
            return [
                "$tpl": ["template": random.oneIn(8) ? any(&random) : .string(random.pick(texts)), "values": ["a": any(&random), "b": any(&random)]]
            ]
        case 4: return ["$concat": random.oneIn(2) ? list(&random) : ["values": list(&random), "delimiter": random.oneIn(4) ? any(&random) : ", "]]
        case 5: return object(("$eval", any(&random)), (random.pick(comparisons), any(&random)))
        case 6: return [random.pick(["$and", "$or"]): random.oneIn(6) ? any(&random) : list(&random)]
        case 7:
            let cases = JSONValue.array(
                (0..<random.below(3)).map { _ in ["filter": formula(&random, depth: inner), "value": formula(&random, depth: inner)] })
            return ["$case": ["cases": cases, "default": any(&random)]]
        case 8:
            let entries = JSONValue.array(
                (0..<random.below(3)).map { _ in ["from": formula(&random, depth: inner), "to": formula(&random, depth: inner)] })
            return ["$map": .object(["value": any(&random), random.pick(["mapping", "mappings"]): entries, "default": any(&random)])]
        case 9:
            let source: JSONValue = random.pick([["$var": "$.big"], ["$var": "list"], ["$var": "parent.list"], ["$var": "item"], list(&random)])
            return ["$iterate": ["source": source, "item": any(&random)]]
        case 10: return ["$firstNotEmpty": random.oneIn(6) ? any(&random) : list(&random)]
        case 11: return [random.pick(["$firstName", "$lastName"]): random.oneIn(2) ? ["$var": "name"] : any(&random)]
        case 12: return .object([random.pick(operators): any(&random)])
        case 13: return .object([random.pick(operators): object((random.pick(fieldNames), any(&random)), (random.pick(fieldNames), any(&random)))])
        case 14: return list(&random)
        case 15: return object(("k\(random.below(3))", any(&random)), (random.pick(fieldNames), any(&random)))
        case 16:
            // A deep chain, sometimes past the nesting limits.
            var value = any(&random)
            let wrapper = random.pick(["$firstNotEmpty", "$and", "list", "$concat"])
            for _ in 0..<random.below(300) {
                value = wrapper == "list" ? [value] : .object([wrapper: [value]])
            }
            return value
        case 17: return ["$iterate": ["source": ["$var": "$.big"], "item": ["$iterate": ["source": ["$var": "parent.big"], "item": any(&random)]]]]
        case 18: return ["$tpl": ["template": .string(String(repeating: "{{a}}", count: random.below(2_000))), "values": ["a": ["$var": "$"]]]]
        case 19: return .object(["$eval": any(&random)])
        default: return .object([random.pick(operators): scalar(&random)])
        }
    }

    /// An object from pairs; a repeated key keeps its last value.
    static func object(_ pairs: (String, JSONValue)...) -> JSONValue {
        .object(Dictionary(pairs, uniquingKeysWith: { _, last in last }))
    }

    static func variables(_ random: inout Random) -> JSONValue {
        let big = JSONValue.array((0..<random.pick([0, 3, 200, 3_000, 12_000])).map { .number(Double($0)) })
        var deep: JSONValue = "bottom"
        for _ in 0..<random.below(40) { deep = [deep] }
        return [
            "a": ["b": [scalar(&random), scalar(&random)]], "list": [["name": "x"], 2, "three", nil, ["name": ["$var": "a"]]],
            "name": scalar(&random), "names": ["Ada Lovelace", "Plato", ""], "big": big, "deep": deep, "item": scalar(&random),
            "a.b": 1, "items": [true, false],
        ]
    }

    /// A copy of a value with a few members replaced, renamed, dropped or wrapped.
    static func mutate(_ value: JSONValue, _ random: inout Random, depth: Int = 0) -> JSONValue {
        if random.oneIn(12) { return formula(&random, depth: 2) }
        switch value {
        case .object(let members):
            var copy: [String: JSONValue] = [:]
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                if random.oneIn(10) { continue }
                let name = random.oneIn(10) ? random.pick(fieldNames + operators) : key
                copy[name] = depth < 40 ? mutate(member, &random, depth: depth + 1) : member
            }
            return random.oneIn(15) ? [.object(copy)] : .object(copy)
        case .array(let items):
            var copy = items.map { depth < 40 ? mutate($0, &random, depth: depth + 1) : $0 }
            if random.oneIn(6), !copy.isEmpty { copy.remove(at: random.below(copy.count)) }
            if random.oneIn(6) { copy.append(scalar(&random)) }
            return .array(copy)
        default:
            return random.oneIn(4) ? scalar(&random) : value
        }
    }

    @Test("Random and mutated formulas never trap; every failure is a FormulaError with a message and a path")
    func randomFormulas() async throws {
        let seeds = try FormulaDocumentationTests.examples().compactMap { $0.value["formula"] }
        // Seconds of pure CPU: on a GCD thread, so the suite's other tests (on the cooperative
        // pool's two threads here) keep their timers.
        let (results, codes, problems) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Self.rounds(seeds: seeds)) }
        }
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        #expect(results > 1_000, "only \(results) formulas succeeded")
        for code in ["invalid_formula", "unknown_operator", "type_mismatch", "limit_exceeded", "not_supported"] {
            #expect(codes[code, default: 0] > 20, "\(code) seen \(codes[code, default: 0]) times: \(codes)")
        }
    }

    /// 6,000 rounds: how many succeeded, failures by code, and what went wrong.
    static func rounds(seeds: [JSONValue]) -> (Int, [String: Int], [String]) {
        var random = Random(state: 0x5157_4348_5941_5244)
        let variableSets = (0..<12).map { _ in Self.variables(&random) }
        let tight = FormulaLimits(maxSteps: 5_000, maxIterations: 1_000, maxOutputSize: 100_000)
        var results = 0
        var codes: [String: Int] = [:]
        var problems: [String] = []
        for round in 0..<6_000 {
            let formula =
                round % 3 == 2 && !seeds.isEmpty ? Self.mutate(random.pick(seeds), &random) : Self.formula(&random, depth: 1 + random.below(7))
            let variables = random.pick(variableSets)
            let limits = round % 200 == 0 ? FormulaLimits.standard : tight
            let first = outcome(formula, variables, limits)
            switch first {
            case .success: results += 1
            case .failure(let error):
                codes[error.code.rawValue, default: 0] += 1
                if error.message.isEmpty || error.path.isEmpty { problems.append("round \(round): \(error)") }
            }
            if round % 10 == 0, outcome(formula, variables, limits) != first {
                problems.append("round \(round): evaluation is not deterministic")
            }
        }
        return (results, codes, problems)
    }

    /// A result as JSON text (so that NaN equals itself), or the error.
    static func outcome(_ formula: JSONValue, _ variables: JSONValue, _ limits: FormulaLimits) -> Result<String, FormulaError> {
        Result { () throws(FormulaError) -> String in try Formula.evaluate(formula, variables: variables, limits: limits).jsonText }
    }
}
