/// The keywords of an object schema, by the type of value they check.
extension JSONSchemaCompiler {
    /// `type`, `enum`, `const`.
    func valueRules(_ keywords: [String: JSONValue], at path: JSONSchemaPath) throws(SwitchyardError) -> [JSONSchemaRule] {
        var rules: [JSONSchemaRule] = []
        if let value = keywords["type"] { rules.append(.type(try types(value, at: path.appending("type")))) }
        if let value = keywords["enum"] {
            guard case .array(let values) = value, !values.isEmpty else { throw Self.error(path.appending("enum"), "must be a non-empty array") }
            rules.append(.enumeration(values))
        }
        if let value = keywords["const"] { rules.append(.constant(value)) }
        return rules
    }

    /// The type names of `type`, duplicates dropped.
    func types(_ value: JSONValue, at path: JSONSchemaPath) throws(SwitchyardError) -> [JSONSchemaType] {
        let names = JSONSchemaType.allCases.map(\.rawValue).joined(separator: ", ")
        switch value {
        case .string(let name):
            guard let type = JSONSchemaType(rawValue: name) else { throw Self.error(path, "must be one of: \(names)") }
            return [type]
        case .array(let items) where !items.isEmpty:
            var types: [JSONSchemaType] = []
            for (index, item) in items.enumerated() {
                guard let type = item.stringValue.flatMap(JSONSchemaType.init(rawValue:)) else {
                    throw Self.error(path.appending(index), "must be one of: \(names)")
                }
                if !types.contains(type) { types.append(type) }
            }
            return types
        default:
            throw Self.error(path, "must be a type name or a non-empty array of type names")
        }
    }

    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`.
    func numberRules(_ keywords: [String: JSONValue], at path: JSONSchemaPath) throws(SwitchyardError) -> [JSONSchemaRule] {
        var rules: [JSONSchemaRule] = []
        // Draft 4 wrote `exclusiveMinimum: true` beside `minimum`; 2020-12 gives it the bound.
        if let minimum = try number(keywords, "minimum", at: path) {
            rules.append(.minimum(minimum, exclusive: keywords["exclusiveMinimum"] == true))
        }
        if let maximum = try number(keywords, "maximum", at: path) {
            rules.append(.maximum(maximum, exclusive: keywords["exclusiveMaximum"] == true))
        }
        for keyword in ["exclusiveMinimum", "exclusiveMaximum"] {
            switch keywords[keyword] {
            case nil, .bool?: break
            case .number(let bound)?: rules.append(keyword == "exclusiveMinimum" ? .minimum(bound, exclusive: true) : .maximum(bound, exclusive: true))
            default: throw Self.error(path.appending(keyword), "must be a number")
            }
        }
        if let divisor = try number(keywords, "multipleOf", at: path) {
            guard divisor > 0 else { throw Self.error(path.appending("multipleOf"), "must be a number greater than 0") }
            rules.append(.multipleOf(divisor))
        }
        return rules
    }

    /// `minLength`, `maxLength`, `pattern`, `format`.
    func stringRules(_ keywords: [String: JSONValue], at path: JSONSchemaPath) throws(SwitchyardError) -> [JSONSchemaRule] {
        var rules: [JSONSchemaRule] = []
        if let length = try count(keywords, "minLength", at: path) { rules.append(.minLength(length)) }
        if let length = try count(keywords, "maxLength", at: path) { rules.append(.maxLength(length)) }
        if let value = keywords["pattern"] {
            guard case .string(let source) = value else { throw Self.error(path.appending("pattern"), "must be a string") }
            guard let pattern = JSONSchemaPattern(source) else { throw Self.error(path.appending("pattern"), "must be a valid regular expression") }
            rules.append(.pattern(pattern))
        }
        if let value = keywords["format"] {
            guard case .string(let name) = value else { throw Self.error(path.appending("format"), "must be a string") }
            if let format = JSONSchemaFormat(rawValue: name) { rules.append(.format(format)) }
        }
        return rules
    }

    /// `prefixItems`, `items`, `additionalItems` (with array `items`), `minItems`, `maxItems`,
    /// `uniqueItems`, `contains`, `minContains`, `maxContains`.
    mutating func arrayRules(_ keywords: [String: JSONValue], at path: JSONSchemaPath, depth: Int) throws(SwitchyardError) -> [JSONSchemaRule] {
        var rules: [JSONSchemaRule] = []
        var prefix = try schemaArray(keywords, "prefixItems", at: path, depth: depth) ?? []
        var rest: JSONSchemaNode?
        var restKeyword = "items"
        if case .array(let legacy)? = keywords["items"] {
            // Draft 7's tuple form: `items` is the prefix and `additionalItems` the rest.
            guard keywords["prefixItems"] == nil else { throw Self.error(path.appending("items"), "must be a schema when prefixItems is given") }
            prefix = try legacy.enumerated().map { (index, item) throws(SwitchyardError) in
                try node(item, at: path.appending("items").appending(index), depth: depth + 1)
            }
            rest = try schema(keywords, "additionalItems", at: path, depth: depth)
            restKeyword = "additionalItems"
        } else {
            rest = try schema(keywords, "items", at: path, depth: depth)
        }
        if !prefix.isEmpty || rest != nil { rules.append(.items(prefix: prefix, rest: rest, restKeyword: restKeyword)) }
        if let count = try count(keywords, "minItems", at: path) { rules.append(.minItems(count)) }
        if let count = try count(keywords, "maxItems", at: path) { rules.append(.maxItems(count)) }
        switch keywords["uniqueItems"] {
        case nil, false?: break
        case true?: rules.append(.uniqueItems)
        default: throw Self.error(path.appending("uniqueItems"), "must be a boolean")
        }
        if let contains = try schema(keywords, "contains", at: path, depth: depth) {
            let minimum = try count(keywords, "minContains", at: path) ?? 1
            rules.append(.contains(contains, minimum: minimum, maximum: try count(keywords, "maxContains", at: path)))
        }
        return rules
    }

    /// `required`, `properties`, `patternProperties`, `additionalProperties`, `propertyNames`,
    /// `minProperties`, `maxProperties`, `dependentRequired`, `dependentSchemas`, `dependencies`.
    mutating func objectRules(_ keywords: [String: JSONValue], at path: JSONSchemaPath, depth: Int) throws(SwitchyardError) -> [JSONSchemaRule] {
        var rules: [JSONSchemaRule] = []
        if let value = keywords["required"] { rules.append(.required(try strings(value, at: path.appending("required")))) }
        let properties = try schemaMap(keywords, "properties", at: path, depth: depth)
        var patterns: [(JSONSchemaPattern, JSONSchemaNode)]?
        if let value = keywords["patternProperties"] {
            guard case .object(let members) = value else { throw Self.error(path.appending("patternProperties"), "must be an object") }
            patterns = []
            for source in members.keys.sorted() {
                let memberPath = path.appending("patternProperties").appending(source)
                guard let pattern = JSONSchemaPattern(source) else { throw Self.error(memberPath, "is not a valid regular expression") }
                patterns?.append((pattern, try node(members[source]!, at: memberPath, depth: depth + 1)))
            }
        }
        let additional = try schema(keywords, "additionalProperties", at: path, depth: depth)
        if properties != nil || patterns != nil || additional != nil {
            rules.append(.members(properties: properties ?? [:], patterns: patterns ?? [], additional: additional))
        }
        if let names = try schema(keywords, "propertyNames", at: path, depth: depth) { rules.append(.propertyNames(names)) }
        if let count = try count(keywords, "minProperties", at: path) { rules.append(.minProperties(count)) }
        if let count = try count(keywords, "maxProperties", at: path) { rules.append(.maxProperties(count)) }
        if let value = keywords["dependentRequired"] {
            guard case .object(let members) = value else { throw Self.error(path.appending("dependentRequired"), "must be an object") }
            var required: [String: [String]] = [:]
            for key in members.keys.sorted() { required[key] = try strings(members[key]!, at: path.appending("dependentRequired").appending(key)) }
            rules.append(.dependentRequired(required))
        }
        if let schemas = try schemaMap(keywords, "dependentSchemas", at: path, depth: depth) { rules.append(.dependentSchemas(schemas)) }
        if let value = keywords["dependencies"] {
            // Draft 7: each member is either a list of required names or a schema.
            guard case .object(let members) = value else { throw Self.error(path.appending("dependencies"), "must be an object") }
            var required: [String: [String]] = [:]
            var schemas: [String: JSONSchemaNode] = [:]
            for key in members.keys.sorted() {
                let memberPath = path.appending("dependencies").appending(key)
                if case .array = members[key]! {
                    required[key] = try strings(members[key]!, at: memberPath)
                } else {
                    schemas[key] = try node(members[key]!, at: memberPath, depth: depth + 1)
                }
            }
            if !required.isEmpty { rules.append(.dependentRequired(required)) }
            if !schemas.isEmpty { rules.append(.dependentSchemas(schemas)) }
        }
        return rules
    }

    /// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `$ref`.
    mutating func applicatorRules(_ keywords: [String: JSONValue], at path: JSONSchemaPath, depth: Int) throws(SwitchyardError) -> [JSONSchemaRule] {
        var rules: [JSONSchemaRule] = []
        if let nodes = try schemaArray(keywords, "allOf", at: path, depth: depth) { rules.append(.allOf(nodes)) }
        if let nodes = try schemaArray(keywords, "anyOf", at: path, depth: depth) { rules.append(.anyOf(nodes)) }
        if let nodes = try schemaArray(keywords, "oneOf", at: path, depth: depth) { rules.append(.oneOf(nodes)) }
        if let node = try schema(keywords, "not", at: path, depth: depth) { rules.append(.not(node)) }
        let condition = try schema(keywords, "if", at: path, depth: depth)
        let then = try schema(keywords, "then", at: path, depth: depth)
        let otherwise = try schema(keywords, "else", at: path, depth: depth)
        if let condition, then != nil || otherwise != nil { rules.append(.conditional(condition, then: then, else: otherwise)) }
        if let value = keywords["$ref"] {
            let referencePath = path.appending("$ref")
            guard case .string(let text) = value else { throw Self.error(referencePath, "must be a string") }
            guard let key = Self.definitionKey(text) else {
                throw Self.error(referencePath, "must be \"#/$defs/<name>\" or \"#/definitions/<name>\", not \(JSONValue.string(text).jsonText)")
            }
            references.append((key, text, referencePath))
            rules.append(.reference(key))
        }
        return rules
    }
}
