/// A compiled JSON Schema (draft 2020-12 semantics), for validating action inputs (`inputSchema`)
/// and API bodies.
///
/// Compile once with ``init(_:)``, which refuses a malformed schema, then ``validate(_:)`` as many
/// values as needed (a `JSONSchema` is an immutable value, safe to share across tasks).
///
/// Supported keywords:
/// - any value: `type` (a name or an array of names; `integer` is a number with no fractional
///   part), `enum`, `const`;
/// - numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numbers; draft 4's
///   booleans beside `minimum`/`maximum` are understood too), `multipleOf`;
/// - strings: `minLength`, `maxLength` (in Unicode scalars), `pattern` (ECMA-like, an unanchored
///   search; see ``JSONSchemaPattern``), `format` (`date-time`, `date`, `email` and `uri` are
///   checked as ``JSONSchemaFormat`` describes; every other format is an annotation only);
/// - arrays: `prefixItems`, `items` (a schema; draft 7's array form with `additionalItems` is
///   read as `prefixItems`), `minItems`, `maxItems`, `uniqueItems`, `contains` with
///   `minContains` and `maxContains`;
/// - objects: `properties`, `patternProperties`, `additionalProperties` (a boolean or a schema),
///   `required`, `propertyNames`, `minProperties`, `maxProperties`, `dependentRequired`,
///   `dependentSchemas` (and draft 7's `dependencies`);
/// - combining: `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`;
/// - references: `$ref` to `#/$defs/<name>` or `#/definitions/<name>` of the root schema (other
///   references are refused), alongside its sibling keywords as in 2020-12; `$defs`/`definitions`;
/// - boolean schemas `true` and `false`.
///
/// `title`, `description`, `default`, `examples`, `$schema`, `$id`, `$comment` and unknown keywords
/// are ignored. `unevaluatedProperties`, `unevaluatedItems`, `$dynamicRef` and `$recursiveRef` are
/// refused (unless `true`): ignoring them would accept values the schema's author meant to reject.
///
/// Limits: schemas nested more than 64 levels deep are refused, as are definitions that refer
/// back to themselves without descending into the value (`{"$defs": {"a": {"$ref": "#/$defs/a"}}}`);
/// validation stops descending after 128 nested schema applications (reporting "is nested too
/// deeply to validate" where it stopped; a recursive tree schema of `properties` → `items` →
/// `$ref` uses three per level, so about 40 levels of tree) and gives up after 2,000,000
/// applications in total (reporting only "is too complex to validate against this schema" at the
/// root).
package struct JSONSchema: Sendable {
    private let root: JSONSchemaNode
    private let definitions: [String: JSONSchemaNode]

    /// Compiles a schema.
    /// - Parameter schema: The schema document: an object or a boolean.
    /// - Throws: `bad_request` naming the schema path of the fault, for example
    ///   "properties.age.minimum must be a number" (`data["schemaPath"]` holds the path, or
    ///   `"(root)"`).
    package init(_ schema: JSONValue) throws(SwitchyardError) {
        (root, definitions) = try JSONSchemaCompiler.compile(schema)
    }

    /// Every way `value` fails the schema, ordered by path (parents first, array positions
    /// numerically), then message; empty when it is valid.
    /// - Parameter value: The value to check.
    package func validate(_ value: JSONValue) -> [JSONSchemaProblem] {
        var validator = JSONSchemaValidator(definitions: definitions)
        _ = validator.evaluate(root, value)
        if validator.exhausted { return [JSONSchemaProblem(path: "", message: "is too complex to validate against this schema")] }
        var problems = validator.problems
        problems.sort { $0.path != $1.path ? $0.path < $1.path : $0.message < $1.message }
        var result: [JSONSchemaProblem] = []
        for (index, problem) in problems.enumerated() where index == 0 || problems[index - 1] != problem {
            result.append(JSONSchemaProblem(path: problem.path.description, message: problem.message))
        }
        return result
    }

    /// Whether `value` passes the schema; faster than ``validate(_:)`` when the problems do not
    /// matter, since it stops at the first.
    /// - Parameter value: The value to check.
    package func isValid(_ value: JSONValue) -> Bool {
        var validator = JSONSchemaValidator(definitions: definitions)
        return validator.decide(root, value)
    }

    /// Throws when `value` fails the schema.
    /// - Parameters:
    ///   - value: The value to check.
    ///   - what: What the value is, for the message ("input", "request body").
    /// - Throws: `bad_request` "invalid <what>: <path> <message>; …" listing the first ten
    ///   problems (and how many more), with `data` mapping each problem's path (`"(root)"` for the
    ///   value itself) to its messages, joined by "; " when there are several, for at most 100 paths.
    package func check(_ value: JSONValue, what: String) throws(SwitchyardError) {
        let problems = validate(value)
        guard !problems.isEmpty else { return }
        var message = "invalid \(what): " + problems.prefix(10).map(\.description).joined(separator: "; ")
        if problems.count > 10 { message += "; and \(problems.count - 10) more" }
        var data: [String: String] = [:]
        for problem in problems {
            let key = problem.path.isEmpty ? "(root)" : problem.path
            if let earlier = data[key] {
                data[key] = earlier + "; " + problem.message
            } else if data.count < 100 {
                data[key] = problem.message
            }
        }
        throw SwitchyardError(.badRequest, message, data: data)
    }
}
