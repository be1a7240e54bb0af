/// One compiled check of an object schema. Keywords that work together (`properties`,
/// `patternProperties` and `additionalProperties`; `prefixItems` and `items`; `contains` with
/// `minContains` and `maxContains`; `if`, `then` and `else`) compile to one rule.
enum JSONSchemaRule: Sendable {
    /// `type`: the value is one of these types.
    case type([JSONSchemaType])
    /// `enum`: the value equals one of these.
    case enumeration([JSONValue])
    /// `const`: the value equals this.
    case constant(JSONValue)

    /// `required`: an object has these members.
    case required([String])
    /// `properties`, `patternProperties`, `additionalProperties`: each member is checked against
    /// its property schema and every pattern schema whose pattern matches its name; a member
    /// matched by neither is checked against `additional`.
    case members(properties: [String: JSONSchemaNode], patterns: [(JSONSchemaPattern, JSONSchemaNode)], additional: JSONSchemaNode?)
    /// `propertyNames`: every member name, as a string, passes this schema.
    case propertyNames(JSONSchemaNode)
    /// `minProperties`.
    case minProperties(Int)
    /// `maxProperties`.
    case maxProperties(Int)
    /// `dependentRequired` (and the array form of draft 7's `dependencies`): when the key is
    /// present, so must the listed members be.
    case dependentRequired([String: [String]])
    /// `dependentSchemas` (and the schema form of draft 7's `dependencies`): when the key is
    /// present, the object passes the schema.
    case dependentSchemas([String: JSONSchemaNode])

    /// `prefixItems` and `items` (or draft 7's array `items` and `additionalItems`): item `i`
    /// passes `prefix[i]`, items after the prefix pass `rest`. `restKeyword` names the keyword
    /// behind `rest` for the message when it is `false`.
    case items(prefix: [JSONSchemaNode], rest: JSONSchemaNode?, restKeyword: String)
    /// `minItems`.
    case minItems(Int)
    /// `maxItems`.
    case maxItems(Int)
    /// `uniqueItems: true`.
    case uniqueItems
    /// `contains`, `minContains` (default 1), `maxContains`.
    case contains(JSONSchemaNode, minimum: Int, maximum: Int?)

    /// `minLength`, in Unicode scalars.
    case minLength(Int)
    /// `maxLength`, in Unicode scalars.
    case maxLength(Int)
    /// `pattern`.
    case pattern(JSONSchemaPattern)
    /// `format`, for the formats that are checked.
    case format(JSONSchemaFormat)

    /// `minimum`, or `exclusiveMinimum` when `exclusive`.
    case minimum(Double, exclusive: Bool)
    /// `maximum`, or `exclusiveMaximum` when `exclusive`.
    case maximum(Double, exclusive: Bool)
    /// `multipleOf`.
    case multipleOf(Double)

    /// `allOf`.
    case allOf([JSONSchemaNode])
    /// `anyOf`.
    case anyOf([JSONSchemaNode])
    /// `oneOf`.
    case oneOf([JSONSchemaNode])
    /// `not`.
    case not(JSONSchemaNode)
    /// `if`, `then`, `else`.
    case conditional(JSONSchemaNode, then: JSONSchemaNode?, else: JSONSchemaNode?)
    /// `$ref` to a root definition, by its key in the definition table (`$defs/name`).
    case reference(String)
}
