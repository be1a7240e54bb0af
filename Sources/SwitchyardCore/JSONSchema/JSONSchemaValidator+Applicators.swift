/// `allOf`, `if`/`then`/`else` (whose problems are the value's own), and `anyOf`, `oneOf`, `not`
/// (which decide their branches and report one line).
extension JSONSchemaValidator {
    /// `allOf`, `$ref`, `if`/`then`/`else`: subschemas whose problems are reported as the value's own.
    mutating func checkInPlace(_ rule: JSONSchemaRule, _ value: JSONValue) -> Bool {
        switch rule {
        case .allOf(let nodes): return checkAllOf(nodes, value)
        case .reference(let key):
            guard let node = definitions[key] else { return fail("refers to a missing definition") }
            return evaluate(node, value)
        case .conditional(let condition, let then, let otherwise): return checkConditional(value, condition, then: then, otherwise: otherwise)
        default: return true
        }
    }

    private mutating func checkAllOf(_ nodes: [JSONSchemaNode], _ value: JSONValue) -> Bool {
        var valid = true
        for node in nodes where !evaluate(node, value) {
            valid = false
            if stopping { return false }
        }
        return valid
    }

    private mutating func checkConditional(_ value: JSONValue, _ condition: JSONSchemaNode, then: JSONSchemaNode?, otherwise: JSONSchemaNode?) -> Bool {
        let matches = decide(condition, value)
        if exhausted { return false }
        guard let branch = matches ? then : otherwise else { return true }
        return evaluate(branch, value)
    }

    /// `anyOf`, `oneOf`, `not`: subschemas only decided, with one problem line when the rule fails.
    mutating func checkDeciding(_ rule: JSONSchemaRule, _ value: JSONValue) -> Bool {
        switch rule {
        case .anyOf(let nodes):
            if nodes.contains(where: { decide($0, value) }) { return true }
            return exhausted ? false : fail("must match at least one of the anyOf schemas")
        case .oneOf(let nodes):
            var matches = 0
            for node in nodes where decide(node, value) {
                matches += 1
                if matches > 1 { break }
            }
            if exhausted { return false }
            if matches == 1 { return true }
            return fail("must match exactly one of the oneOf schemas (it matches \(matches == 0 ? "none" : "more than one"))")
        case .not(let node):
            let matches = decide(node, value)
            if exhausted { return false }
            return !matches || fail("must not match the not schema")
        default:
            return true
        }
    }
}
