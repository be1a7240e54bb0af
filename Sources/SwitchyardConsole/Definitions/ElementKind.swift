/// What the action and flow pages differ in: their paths, words and content fields.
struct ElementKind: Sendable {
    /// The API's and the console's collection path (`/actions`).
    var path: String
    /// One, for text (`action`).
    var singular: String
    /// Several, capitalised, for titles (`Actions`).
    var plural: String
    /// The content fields the editor shows, in this order.
    var fields: [String]
    /// A definition to start a new one from (YAML).
    var starter: String

    /// Actions.
    static let action = ElementKind(
        path: "/actions", singular: "action", plural: "Actions",
        fields: ["name", "description", "type", "config", "inputSchema", "outputSchema", "outputMapping", "meta"],
        starter: "name: New action\ntype: transform\nconfig:\n  output:\n    $var: $.input\n"
    )

    /// Flows.
    static let flow = ElementKind(
        path: "/flows", singular: "flow", plural: "Flows",
        fields: ["name", "description", "nodes", "parametersSchema", "autoCreateInstances", "meta"],
        starter: "name: New flow\nnodes:\n  start:\n    type: api-trigger\n    links: [done]\n"
            + "  done:\n    type: transform\n    config:\n      output:\n        $var: $.input\n"
    )
}
