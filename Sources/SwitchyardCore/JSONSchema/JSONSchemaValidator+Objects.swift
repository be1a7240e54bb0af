/// `properties`/`patternProperties`/`additionalProperties`, `propertyNames`, `dependentSchemas`,
/// `required`, `dependentRequired`, `minProperties`, `maxProperties`.
extension JSONSchemaValidator {
    /// The object keywords; other values pass.
    mutating func checkObject(_ rule: JSONSchemaRule, _ value: JSONValue) -> Bool {
        guard case .object(let members) = value else { return true }
        switch rule {
        case .members(let properties, let patterns, let additional):
            return checkMembers(members, properties: properties, patterns: patterns, additional: additional)
        case .propertyNames(let node): return checkPropertyNames(members, node)
        case .dependentSchemas(let schemas): return checkDependentSchemas(members, schemas, value)
        default: return checkObjectShape(rule, members)
        }
    }

    private mutating func checkMembers(
        _ members: [String: JSONValue], properties: [String: JSONSchemaNode], patterns: [(JSONSchemaPattern, JSONSchemaNode)],
        additional: JSONSchemaNode?
    ) -> Bool {
        var valid = true
        for (key, member) in members {
            path.components.append(.key(key))
            let memberValid = checkMember(key, member, properties: properties, patterns: patterns, additional: additional)
            path.components.removeLast()
            if !memberValid {
                valid = false
                if stopping { return false }
            }
        }
        return valid
    }

    /// One member against its property schema, the pattern schemas its name matches, or else the
    /// additional-properties schema.
    private mutating func checkMember(
        _ key: String, _ member: JSONValue, properties: [String: JSONSchemaNode], patterns: [(JSONSchemaPattern, JSONSchemaNode)],
        additional: JSONSchemaNode?
    ) -> Bool {
        var matched = false
        var valid = true
        if let node = properties[key] {
            matched = true
            valid = evaluate(node, member)
        }
        for (pattern, node) in patterns where pattern.matches(key) {
            matched = true
            if !valid && stopping { return false }
            valid = evaluate(node, member) && valid
        }
        if !matched, let additional {
            return evaluate(additional, member, falseMessage: "is not allowed (additionalProperties is false)")
        }
        return valid
    }

    /// Problems with a name are reported at its member, prefixed "name ".
    private mutating func checkPropertyNames(_ members: [String: JSONValue], _ node: JSONSchemaNode) -> Bool {
        var valid = true
        for key in members.keys {
            let start = problems.count
            path.components.append(.key(key))
            let nameValid = evaluate(node, .string(key))
            path.components.removeLast()
            if nameValid { continue }
            valid = false
            if stopping { return false }
            for index in start..<problems.count { problems[index].message = "name " + problems[index].message }
        }
        return valid
    }

    private mutating func checkDependentSchemas(_ members: [String: JSONValue], _ schemas: [String: JSONSchemaNode], _ value: JSONValue) -> Bool {
        var valid = true
        for (trigger, node) in schemas where members[trigger] != nil && !evaluate(node, value) {
            valid = false
            if stopping { return false }
        }
        return valid
    }

    private mutating func checkObjectShape(_ rule: JSONSchemaRule, _ members: [String: JSONValue]) -> Bool {
        switch rule {
        case .required(let names):
            var valid = true
            for name in names where members[name] == nil {
                valid = false
                fail(at: name, "is required")
                if stopping { return false }
            }
            return valid
        case .dependentRequired(let dependencies):
            var valid = true
            for (trigger, names) in dependencies where members[trigger] != nil {
                for name in names where members[name] == nil {
                    valid = false
                    fail(at: name, "is required when \(trigger) is present")
                    if stopping { return false }
                }
            }
            return valid
        case .minProperties(let count):
            return members.count >= count || fail("must have at least \(Self.counted(count, "property", "properties"))")
        case .maxProperties(let count):
            return members.count <= count || fail("must have at most \(Self.counted(count, "property", "properties"))")
        default:
            return true
        }
    }
}
