import SwitchyardCore

/// The body of `POST /actions/{selector}/run` and `POST /flows/{selector}/run`: the input, and
/// the connection (and instance key) to run for.
struct RunBody {
    static let schema: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": ["input": [:], "connectionId": ["type": "string", "minLength": 1, "maxLength": 200], "instanceKey": ["type": "string", "minLength": 1, "maxLength": 200]],
    ]

    var input: JSONValue
    var connectionID: String?
    var instanceKey: String?

    /// Reads a request's body (none is `{}`).
    /// - Throws: `bad_request` naming unknown or malformed fields.
    init(_ request: APIRequest) throws(SwitchyardError) {
        var reader = try BodyReader(request.body ?? [:], allowed: ["input", "connectionId", "instanceKey"])
        connectionID = reader.string("connectionId")
        instanceKey = reader.string("instanceKey")
        input = reader.members("input") ?? [:]
        try reader.finish()
    }
}
