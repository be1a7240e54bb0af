import SwitchyardCore
import SwitchyardStore

/// Which tenant an app event without a tenant token belongs to: the one whose id (`internalId`)
/// a `tenantIdFormula` over `{payload}` gives. Every failure is `bad_request` with
/// `data.tenant` saying why.
enum AppEventTenant {
    /// The tenant's record id.
    /// - Parameters:
    ///   - formula: The formula, or `nil` when there is none.
    ///   - missing: What to tell the sender when there is no formula.
    static func resolve(
        formula: JSONValue?, payload: JSONValue, workspaceID: String, records: any RecordStore, missing: String
    ) async throws(SwitchyardError) -> String {
        guard let formula else {
            throw SwitchyardError(.badRequest, "no tenant for this event: \(missing)", data: ["tenant": "cannot be resolved"])
        }
        let value: JSONValue
        do {
            value = try Formula.evaluate(formula, variables: ["payload": payload])
        } catch {
            throw SwitchyardError(
                .badRequest, "no tenant for this event: tenantIdFormula failed: \(error.message) (at \(error.path))",
                data: ["tenant": "cannot be resolved"])
        }
        guard let key = value.stringValue ?? value.numberValue.map({ String(Int($0)) }), !key.isEmpty else {
            throw SwitchyardError(
                .badRequest, "no tenant for this event: tenantIdFormula gave \(value.jsonText.prefix(100)), not a tenant id",
                data: ["tenant": "cannot be resolved"])
        }
        let id = TenantDirectory.recordID(workspaceID: workspaceID, key: key)
        guard let tenant = try? await records.get(.tenants, id: id, scope: .workspace(workspaceID)), tenant.archivedAt == nil else {
            throw SwitchyardError(.badRequest, "no tenant for this event: no tenant has the id \(key)", data: ["tenant": "no such tenant"])
        }
        return id
    }
}
