import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// Receives events posted to an app event type's webhook address. The address itself is the
/// credential: a wrong workspace, type or secret is `not_found`, and nothing is stored. Once the
/// address is right every event is stored (`app_events`), refused ones too: the tenant is the
/// tenant token's, else the one the type's `tenantIdFormula` names; the payload must pass the
/// type's `schema`; then every live, enabled instance of that tenant whose trigger names the
/// type runs, and the event records the runs (or why there were none).
struct AppEventIntake: Sendable {
    /// Where types and events are stored.
    let records: any RecordStore
    /// The workspaces, found by the key in the address.
    let workspaces: WorkspaceDirectory
    /// Starts the runs; `nil` where the process has no flows (events are then refused, 503).
    let launcher: FlowLauncher?

    /// What the webhook answers for an address that is not a live type's.
    static let unknownAddress = "no app event type has this webhook address (a wrong or rotated secret, or an archived type)"

    /// Receives one event.
    /// - Parameters:
    ///   - caller: The token's caller, when the request carried a valid token.
    ///   - body: The request body (the event's payload, a JSON object).
    /// - Returns: The stored event as the API shows it.
    /// - Throws: `not_found` for an unknown address, `access_denied` for another workspace's
    ///   token, `bad_request` for a payload that is not a JSON object, fails the schema or names
    ///   no tenant; what launching runs threw when no run could be queued.
    func receive(workspaceKey: String, typeID: String, secret: String, caller: Caller?, body: [UInt8]) async throws(SwitchyardError) -> JSONValue {
        guard let workspace = try? await workspaces.workspace(key: workspaceKey),
            let record = try? await records.get(.appEventTypes, id: typeID, scope: .workspace(workspace.key)),
            record.tenantID == nil, record.archivedAt == nil, AppEventType(record: record).accepts(secret: secret)
        else {
            throw SwitchyardError(.notFound, Self.unknownAddress)
        }
        if let caller, caller.workspaceID != workspace.key {
            throw SwitchyardError(.accessDenied, "the token belongs to another workspace than this app event type")
        }
        let type = AppEventType(record: record)
        var event = AppEventRecord(source: .type(type), tenantID: caller?.tenantID)
        do throws(SwitchyardError) {
            event.payload = try Self.payload(body)
            if event.tenantID == nil {
                event.tenantID = try await AppEventTenant.resolve(
                    formula: type.tenantIdFormula, payload: event.payload, workspaceID: workspace.key, records: records,
                    missing: "send it with the tenant's token, or give the app event type a tenantIdFormula over {payload}")
            }
            if let schema = type.schema {
                let compiled: JSONSchema
                do {
                    compiled = try JSONSchema(schema)
                } catch {
                    throw SwitchyardError(.conflict, "the app event type's schema is not a valid JSON Schema: \(error.message)")
                }
                try compiled.check(event.payload, what: "event payload")
            }
        } catch {
            _ = try await records.insert(event.rejected(error), scope: event.scope(workspace.key))
            throw error
        }
        return try await launch(event, type: type, workspaceID: workspace.key)
    }

    /// Stores the event, queues the runs and records them in it.
    private func launch(_ event: AppEventRecord, type: AppEventType, workspaceID: String) async throws(SwitchyardError) -> JSONValue {
        let launcher = try require(launcher)
        let scope = event.scope(workspaceID)
        let stored = try await records.insert(event.received(), scope: scope)
        let typeKey = type.record.key ?? ""
        let outcome = try await launcher.launchAppEvent(typeKey: typeKey, scope: scope, payload: event.payload)
        // The instances found listening are the truth; the tenant's subscription follows them.
        try? await AppEventSubscriptions(records: records).set(typeKey: typeKey, instanceIDs: outcome.listening, scope: scope)
        let updated = try await records.update(.appEvents, id: stored.id, scope: scope, expectedRevision: nil) { record in
            record.document = AppEventRecord.launched(record.document, outcome)
        }
        if outcome.runs.isEmpty, let failure = outcome.failures.sorted(by: { $0.key < $1.key }).first?.value { throw failure }
        return AppEventRoutes.json(updated)
    }

    /// The payload: the body as a JSON object that PostgreSQL can store.
    private static func payload(_ body: [UInt8]) throws(SwitchyardError) -> JSONValue {
        guard !body.isEmpty else { throw SwitchyardError(.badRequest, "the event must be a JSON object; the body is empty") }
        guard let value = try? JSONValue.parse(String(decoding: body, as: UTF8.self)) else {
            throw SwitchyardError(.badRequest, "the event is not valid JSON")
        }
        guard case .object = value else { throw SwitchyardError(.badRequest, "the event must be a JSON object") }
        guard !BodyReader.containsNUL(value) else {
            throw SwitchyardError(.badRequest, "the event must not contain the NUL character (U+0000)", data: ["payload": "contains U+0000"])
        }
        return value
    }

    private func require(_ launcher: FlowLauncher?) throws(SwitchyardError) -> FlowLauncher {
        guard let launcher else { throw SwitchyardError(.unavailable, "flows are not set up in this process") }
        return launcher
    }
}
