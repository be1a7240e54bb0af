import SwitchyardCore
import SwitchyardStore

/// How a connection's outbound requests are logged: the tags of the external API log, and the
/// credential values to redact.
enum ConnectionLog {
    /// How a connection's requests are tagged in the external API log.
    static func tags(_ connection: Record) -> [String: String] {
        ["workspace": connection.workspaceID, "tenant": connection.tenantID ?? "", "connection": connection.id]
    }

    /// Every string in a credentials object, for redaction.
    static func secretValues(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text): text.count >= 4 ? [text] : []
        case .object(let members): members.values.flatMap(secretValues)
        case .array(let items): items.flatMap(secretValues)
        default: []
        }
    }
}
