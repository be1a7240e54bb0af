/// `prefixItems`/`items`, `contains`, `minItems`, `maxItems`, `uniqueItems`.
extension JSONSchemaValidator {
    /// The array keywords; other values pass.
    mutating func checkArray(_ rule: JSONSchemaRule, _ value: JSONValue) -> Bool {
        guard case .array(let items) = value else { return true }
        switch rule {
        case .items(let prefix, let rest, let restKeyword): return checkItems(items, prefix: prefix, rest: rest, restKeyword: restKeyword)
        case .contains(let node, let minimum, let maximum): return checkContains(items, node, minimum: minimum, maximum: maximum)
        default: return checkArraySize(rule, items)
        }
    }

    private mutating func checkItems(_ items: [JSONValue], prefix: [JSONSchemaNode], rest: JSONSchemaNode?, restKeyword: String) -> Bool {
        var valid = true
        for (index, item) in items.enumerated() {
            let inPrefix = index < prefix.count
            guard let node = inPrefix ? prefix[index] : rest else { break }
            path.components.append(.index(index))
            let itemValid = evaluate(node, item, falseMessage: inPrefix ? "is not allowed" : "is not allowed (\(restKeyword) is false)")
            path.components.removeLast()
            if !itemValid {
                valid = false
                if stopping { return false }
            }
        }
        return valid
    }

    private mutating func checkContains(_ items: [JSONValue], _ node: JSONSchemaNode, minimum: Int, maximum: Int?) -> Bool {
        if minimum == 0, maximum == nil { return true }
        var matches = 0
        for item in items where decide(node, item) {
            matches += 1
            if maximum == nil, matches >= minimum { break }
        }
        if exhausted { return false }
        if matches < minimum {
            return fail(
                minimum == 1
                    ? "must contain an item matching the contains schema" : "must contain at least \(minimum) items matching the contains schema")
        }
        if let maximum, matches > maximum {
            return fail("must contain at most \(Self.counted(maximum, "item")) matching the contains schema")
        }
        return true
    }

    private mutating func checkArraySize(_ rule: JSONSchemaRule, _ items: [JSONValue]) -> Bool {
        switch rule {
        case .minItems(let count):
            return items.count >= count || fail("must have at least \(Self.counted(count, "item"))")
        case .maxItems(let count):
            return items.count <= count || fail("must have at most \(Self.counted(count, "item"))")
        case .uniqueItems:
            var seen: [JSONValue: Int] = [:]
            for (index, item) in items.enumerated() {
                if let first = seen[item] { return fail("must not contain duplicates ([\(first)] and [\(index)] are equal)") }
                seen[item] = index
            }
            return true
        default:
            return true
        }
    }
}
