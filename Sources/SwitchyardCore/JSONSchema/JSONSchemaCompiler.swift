/// Turns a schema document into ``JSONSchemaNode``s, refusing a malformed schema with the path of
/// the fault (`properties.age.minimum must be a number`).
struct JSONSchemaCompiler {
    /// Schemas nested deeper than this (the root is level 1) are refused.
    static let maximumDepth = 64

    /// Keywords that would change the outcome if ignored but are not implemented: refused unless
    /// they are `true` (which checks nothing).
    static let unsupportedKeywords = ["unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef"]

    /// The root's `$defs` and `definitions`, keyed `$defs/<name>` and `definitions/<name>`.
    var definitions: [String: JSONSchemaNode] = [:]
    /// Every `$ref` met: the definition it names, its text and where it was written.
    var references: [(key: String, text: String, path: JSONSchemaPath)] = []

    /// Compiles a schema document.
    /// - Returns: The root node and the root definitions `$ref`s point to.
    /// - Throws: `bad_request` naming the schema path of the first fault.
    static func compile(_ schema: JSONValue) throws(SwitchyardError) -> (root: JSONSchemaNode, definitions: [String: JSONSchemaNode]) {
        var compiler = JSONSchemaCompiler()
        let root = try compiler.node(schema, at: .root, depth: 1)
        for reference in compiler.references where compiler.definitions[reference.key] == nil {
            throw error(reference.path, "points to \(reference.text), which is not defined")
        }
        try compiler.refuseCycles()
        return (root, compiler.definitions)
    }

    /// The error for a fault at `path` in the schema.
    static func error(_ path: JSONSchemaPath, _ problem: String) -> SwitchyardError {
        SwitchyardError(
            .badRequest, path.isRoot ? "the schema \(problem)" : "\(path) \(problem)",
            data: ["schemaPath": path.isRoot ? "(root)" : path.description])
    }

    /// Compiles the (sub)schema at `path`; `depth` is its nesting level (the root is 1).
    mutating func node(_ schema: JSONValue, at path: JSONSchemaPath, depth: Int) throws(SwitchyardError) -> JSONSchemaNode {
        guard depth <= Self.maximumDepth else { throw Self.error(path, "is nested more than \(Self.maximumDepth) levels deep") }
        switch schema {
        case .bool(let flag): return .always(flag)
        case .object(let keywords): return .rules(try rules(keywords, at: path, depth: depth))
        default: throw Self.error(path, path.isRoot ? "must be an object or a boolean" : "must be a schema (an object or a boolean)")
        }
    }

    /// The rules of an object schema, cheap checks first.
    mutating func rules(_ keywords: [String: JSONValue], at path: JSONSchemaPath, depth: Int) throws(SwitchyardError) -> [JSONSchemaRule] {
        for keyword in Self.unsupportedKeywords {
            if let value = keywords[keyword], value != true { throw Self.error(path.appending(keyword), "is not supported") }
        }
        var rules = try valueRules(keywords, at: path)
        rules += try numberRules(keywords, at: path)
        rules += try stringRules(keywords, at: path)
        rules += try arrayRules(keywords, at: path, depth: depth)
        rules += try objectRules(keywords, at: path, depth: depth)
        rules += try applicatorRules(keywords, at: path, depth: depth)
        for keyword in ["$defs", "definitions"] {
            guard let definitions = try schemaMap(keywords, keyword, at: path, depth: depth), path.isRoot else { continue }
            for (name, node) in definitions { self.definitions["\(keyword)/\(name)"] = node }
        }
        return rules
    }

    // MARK: Keyword values

    /// The subschema under `keyword`, if present.
    mutating func schema(_ keywords: [String: JSONValue], _ keyword: String, at path: JSONSchemaPath, depth: Int) throws(SwitchyardError) -> JSONSchemaNode? {
        guard let value = keywords[keyword] else { return nil }
        return try node(value, at: path.appending(keyword), depth: depth + 1)
    }

    /// The non-empty array of subschemas under `keyword`, if present.
    mutating func schemaArray(_ keywords: [String: JSONValue], _ keyword: String, at path: JSONSchemaPath, depth: Int) throws(SwitchyardError) -> [JSONSchemaNode]? {
        guard let value = keywords[keyword] else { return nil }
        guard case .array(let items) = value, !items.isEmpty else { throw Self.error(path.appending(keyword), "must be a non-empty array of schemas") }
        var nodes: [JSONSchemaNode] = []
        for (index, item) in items.enumerated() { nodes.append(try node(item, at: path.appending(keyword).appending(index), depth: depth + 1)) }
        return nodes
    }

    /// The object of subschemas under `keyword` (`properties`, `$defs`), if present.
    mutating func schemaMap(_ keywords: [String: JSONValue], _ keyword: String, at path: JSONSchemaPath, depth: Int) throws(SwitchyardError) -> [String: JSONSchemaNode]? {
        guard let value = keywords[keyword] else { return nil }
        guard case .object(let members) = value else { throw Self.error(path.appending(keyword), "must be an object") }
        var nodes: [String: JSONSchemaNode] = [:]
        for name in members.keys.sorted() { nodes[name] = try node(members[name]!, at: path.appending(keyword).appending(name), depth: depth + 1) }
        return nodes
    }

    /// The number under `keyword`, if present.
    func number(_ keywords: [String: JSONValue], _ keyword: String, at path: JSONSchemaPath) throws(SwitchyardError) -> Double? {
        guard let value = keywords[keyword] else { return nil }
        guard let number = value.numberValue, number.isFinite else { throw Self.error(path.appending(keyword), "must be a number") }
        return number
    }

    /// The non-negative integer under `keyword`, if present (huge values clamp to `Int.max`).
    func count(_ keywords: [String: JSONValue], _ keyword: String, at path: JSONSchemaPath) throws(SwitchyardError) -> Int? {
        guard let value = keywords[keyword] else { return nil }
        guard let number = value.numberValue, number.isFinite, number >= 0, number == number.rounded() else {
            throw Self.error(path.appending(keyword), "must be a non-negative integer")
        }
        return number >= 9e18 ? Int.max : Int(number)
    }

    /// An array of distinct strings (duplicates dropped, order kept).
    func strings(_ value: JSONValue, at path: JSONSchemaPath) throws(SwitchyardError) -> [String] {
        guard case .array(let items) = value else { throw Self.error(path, "must be an array of strings") }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard let string = item.stringValue else { throw Self.error(path.appending(index), "must be a string") }
            if !strings.contains(string) { strings.append(string) }
        }
        return strings
    }
}
