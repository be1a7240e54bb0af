/// One validation of a value against compiled schema nodes.
///
/// It runs in one of two modes: *collecting* records every problem with its path; *deciding*
/// (inside `anyOf`, `oneOf`, `not`, `if` and `contains`, where only the outcome matters) records
/// nothing and stops at the first failure.
///
/// Validation recurses natively, so the functions on the recursive path (``evaluate(_:_:falseMessage:)``,
/// ``check(_:_:)`` and the one function per keyword it calls) are kept small: in debug builds a
/// function reserves stack for every local of every branch it has.
struct JSONSchemaValidator {
    /// Nested schema applications deeper than this fail with "is nested too deeply to validate".
    static let maximumDepth = 128
    /// Schema applications in one validation beyond this abandon it as too complex (a guard
    /// against schemas whose `anyOf`/`oneOf` branches multiply on nested values).
    static let maximumSteps = 2_000_000

    /// The root definitions `$ref`s point to.
    let definitions: [String: JSONSchemaNode]
    /// The problems found so far (collecting mode only), in the order found.
    var problems: [(path: JSONSchemaPath, message: String)] = []
    /// Set when ``maximumSteps`` is passed: every check then fails at once.
    private(set) var exhausted = false
    /// Where the value being checked sits.
    var path = JSONSchemaPath.root
    /// Whether problems are recorded (`false` while deciding).
    private(set) var collecting = true

    private var depth = 0
    private var steps = 0

    init(definitions: [String: JSONSchemaNode]) {
        self.definitions = definitions
    }

    /// Validates `value` against `node`, recording problems when collecting.
    /// - Parameter falseMessage: What a `false` schema says about the value.
    mutating func evaluate(_ node: JSONSchemaNode, _ value: JSONValue, falseMessage: @autoclosure () -> String = "is not allowed") -> Bool {
        steps += 1
        if steps > Self.maximumSteps { exhausted = true }
        if exhausted { return false }
        guard case .rules(let rules) = node else {
            return node.isTrue || fail(falseMessage())
        }
        guard depth < Self.maximumDepth else { return fail("is nested too deeply to validate") }
        depth += 1
        defer { depth -= 1 }
        var valid = true
        for rule in rules where !check(rule, value) {
            valid = false
            if stopping { return false }
        }
        return valid
    }

    /// Whether `value` passes `node`, recording nothing.
    mutating func decide(_ node: JSONSchemaNode, _ value: JSONValue) -> Bool {
        let wasCollecting = collecting
        collecting = false
        defer { collecting = wasCollecting }
        return evaluate(node, value)
    }

    /// Whether a failure ends the current check at once: when deciding (the outcome is known) or
    /// when the step budget is spent.
    var stopping: Bool { !collecting || exhausted }

    /// Applies one rule; keywords for another type of value pass. Binds nothing itself, so its
    /// frame stays small: the family functions take the payloads apart.
    private mutating func check(_ rule: JSONSchemaRule, _ value: JSONValue) -> Bool {
        switch rule {
        case .type, .enumeration, .constant: checkValue(rule, value)
        case .minimum, .maximum, .multipleOf: checkNumber(rule, value)
        case .minLength, .maxLength, .pattern, .format: checkString(rule, value)
        case .items, .contains, .minItems, .maxItems, .uniqueItems: checkArray(rule, value)
        case .members, .propertyNames, .dependentSchemas, .required, .minProperties, .maxProperties, .dependentRequired: checkObject(rule, value)
        case .allOf, .reference, .conditional: checkInPlace(rule, value)
        case .anyOf, .oneOf, .not: checkDeciding(rule, value)
        }
    }

    // MARK: Recording

    /// Records a problem at the current path (when collecting) and returns `false`. The message
    /// is only built when it is recorded.
    mutating func fail(_ message: @autoclosure () -> String) -> Bool {
        if collecting { problems.append((path, message())) }
        return false
    }

    /// Records a problem at a member of the current value (when collecting).
    mutating func fail(at key: String, _ message: @autoclosure () -> String) {
        if collecting { problems.append((path.appending(key), message())) }
    }

    /// "1 item", "3 items".
    static func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
        count == 1 ? "1 \(singular)" : "\(count) \(plural ?? singular + "s")"
    }

    /// A value in a message: non-empty strings bare, everything else as JSON.
    static func display(_ value: JSONValue) -> String {
        if case .string(let string) = value, !string.isEmpty { return string }
        return value.jsonText
    }
}

extension JSONSchemaNode {
    /// Whether this is the `true` schema.
    fileprivate var isTrue: Bool {
        if case .always(true) = self { return true }
        return false
    }
}
