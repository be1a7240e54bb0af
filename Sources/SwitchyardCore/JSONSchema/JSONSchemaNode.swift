/// A compiled (sub)schema: a boolean schema, or the checks its keywords make.
enum JSONSchemaNode: Sendable {
    /// `true` accepts everything, `false` nothing.
    case always(Bool)
    /// An object schema: every rule must hold. Keywords that only annotate are dropped.
    case rules([JSONSchemaRule])

    /// The definitions this schema applies to the same value without descending into it
    /// (through `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`):
    /// a cycle of these would never end.
    var inPlaceReferences: [String] {
        guard case .rules(let rules) = self else { return [] }
        return rules.flatMap { rule -> [String] in
            switch rule {
            case .reference(let key): [key]
            case .allOf(let nodes), .anyOf(let nodes), .oneOf(let nodes): nodes.flatMap(\.inPlaceReferences)
            case .not(let node): node.inPlaceReferences
            case .conditional(let condition, let then, let otherwise):
                condition.inPlaceReferences + (then?.inPlaceReferences ?? []) + (otherwise?.inPlaceReferences ?? [])
            case .dependentSchemas(let schemas): schemas.keys.sorted().flatMap { schemas[$0]!.inPlaceReferences }
            default: []
            }
        }
    }
}
