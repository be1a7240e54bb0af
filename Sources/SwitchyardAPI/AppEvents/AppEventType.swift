import Crypto
import Foundation
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// An app event type: a kind of event of the SaaS's own product (`invoice-paid`), defined once
/// for the workspace (`app_event_types` records with no tenant). Its content is `name`,
/// `description`, `schema` (JSON Schema of the payload) and `tenantIdFormula` (a formula over
/// `{payload}` giving the tenant's id). Its webhook secret is the record's encrypted secret; the
/// webhook address is `/webhooks/app-event-types/{workspaceKey}/{typeId}/{secret}`.
struct AppEventType {
    /// The stored record.
    var record: Record

    /// The path every type's webhook address starts with.
    static let webhookPrefix = "/webhooks/app-event-types"

    /// The secret in the webhook address.
    var secret: String { record.secret?["webhookSecret"]?.stringValue ?? "" }

    /// The payload's JSON Schema, if the type has one.
    var schema: JSONValue? { field("schema") }

    /// The formula over `{payload}` that gives the tenant's id, if the type has one.
    var tenantIdFormula: JSONValue? { field("tenantIdFormula") }

    private func field(_ name: String) -> JSONValue? {
        guard let value = record.document[name], value != .null else { return nil }
        return value
    }

    /// The secret part of a new webhook address.
    static func newSecret() -> JSONValue {
        ["webhookSecret": .string(Workspace.newSecret())]
    }

    /// Whether `candidate` is the type's secret, compared by digest so the time taken does not
    /// tell how much of it matched.
    func accepts(secret candidate: String) -> Bool {
        let stored = secret
        return !stored.isEmpty && SHA256.hash(data: Data(stored.utf8)) == SHA256.hash(data: Data(candidate.utf8))
    }

    /// The public address the SaaS posts events of this type to.
    /// - Parameter base: `BASE_WEBHOOKS_URI` (empty for a path alone).
    func webhookURI(base: String) -> String {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))
        let workspace = record.workspaceID.addingPercentEncoding(withAllowedCharacters: allowed) ?? record.workspaceID
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return "\(trimmed)\(Self.webhookPrefix)/\(workspace)/\(record.id)/\(secret)"
    }

    /// The type as the API shows it: the webhook address only to admins (with it, anyone can
    /// send events for any tenant the formula names).
    func json(admin: Bool, base: String) -> JSONValue {
        var extra: [String: JSONValue] = [:]
        if admin { extra["webhookUri"] = .string(webhookURI(base: base)) }
        return RecordJSON.object(record, extra: extra)
    }

    /// Checks a type's `schema` and `tenantIdFormula`, recording problems in `reader`.
    static func check(schema: JSONValue?, formula: JSONValue?, into reader: inout BodyReader) {
        if let schema, schema != .null {
            do {
                _ = try JSONSchema(schema)
            } catch {
                reader.reject("schema", "is not a valid JSON Schema: \(error.message)")
            }
        }
        if let formula, formula != .null {
            do {
                _ = try Formula.evaluate(formula, variables: ["payload": [:]])
            } catch where error.code == .unknownOperator || error.code == .invalidFormula {
                reader.reject("tenantIdFormula", "is not a valid formula: \(error.message) (at \(error.path))")
            } catch {
                // Other failures depend on the payload; they are reported per event.
            }
        }
    }

    /// Reads a type by id or key.
    /// - Throws: `not_found` when the workspace has no live type with that id or key.
    static func resolve(
        _ selector: String, _ request: APIRequest, _ deps: APIDependencies, includeArchived: Bool = false
    ) async throws(SwitchyardError) -> AppEventType {
        let scope = StoreScope.workspace(request.caller.workspaceID)
        if let record = try? await deps.records.get(.appEventTypes, id: selector, scope: scope), record.tenantID == nil,
            includeArchived || record.archivedAt == nil
        {
            return AppEventType(record: record)
        }
        let filter = RecordFilter(key: selector, includeArchived: false)
        guard let record = try await deps.records.list(.appEventTypes, scope: scope, filter: filter, limit: 1, cursor: nil).items.first,
            record.tenantID == nil
        else {
            throw SwitchyardError(.notFound, "app event type \(selector) not found")
        }
        return AppEventType(record: record)
    }
}
