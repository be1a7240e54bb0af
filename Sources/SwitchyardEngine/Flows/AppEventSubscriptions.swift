import SwitchyardCore
import SwitchyardStore

/// A tenant's subscriptions to app event types (`app_event_subscriptions` records): one per
/// tenant and type key that at least one of the tenant's live, enabled flow instances listens
/// to (its trigger is an `app-event-trigger` whose `config.appEventTypeKey` names the type),
/// listing those instances. They are derived from the instances: brought in step when an
/// instance is created, changed or archived, and when an event of the type arrives for the
/// tenant; a subscription that nothing listens to any more is deleted.
package struct AppEventSubscriptions: Sendable {
    /// Where instances and subscriptions are stored.
    let records: any RecordStore

    /// Creates the helper.
    package init(records: any RecordStore) {
        self.records = records
    }

    /// The trigger field that names the event type a flow listens to.
    package static let typeKeyField = "appEventTypeKey"

    /// The event type an instance listens to, if it is live and enabled and its trigger is an
    /// app event trigger that names a type.
    static func typeKey(_ element: Element, content: [String: JSONValue]) -> String? {
        guard element.layer == .instance, element.record.archivedAt == nil, FlowInstances.isEnabled(element),
            let trigger = try? FlowGraph(content["nodes"]).trigger, trigger.kind == .trigger(.appEvent)
        else { return nil }
        return trigger.config[typeKeyField]?.stringValue
    }

    /// Brings every subscription of an instance's tenant in step with the tenant's instances.
    package func sync(after instance: Element) async throws(SwitchyardError) {
        guard instance.record.kind == .flows, let tenantID = instance.record.tenantID else { return }
        try await sync(scope: .tenant(tenantID, in: instance.record.workspaceID))
    }

    /// Brings every subscription of a tenant in step with its instances.
    package func sync(scope: StoreScope) async throws(SwitchyardError) {
        var listening: [String: [String]] = [:]
        var cache: [String: Record] = [:]
        let filter = RecordFilter(tenantID: scope.tenantID, documentFields: ["layer": ElementLayer.instance.rawValue])
        for record in try await records.all(.flows, scope: scope, filter: filter) {
            let element = Element(record)
            // An instance whose content cannot be read (its parent is gone) listens to nothing.
            guard FlowInstances.isEnabled(element), let content = try? await element.effective(records: records, scope: scope, cache: &cache).content
            else { continue }
            if let key = Self.typeKey(element, content: content) { listening[key, default: []].append(record.id) }
        }
        let existing = try await records.all(.appEventSubscriptions, scope: scope, filter: RecordFilter(tenantID: scope.tenantID))
        for key in Set(listening.keys).union(existing.compactMap(\.key)).sorted() {
            try await set(typeKey: key, instanceIDs: listening[key] ?? [], scope: scope, current: existing.first { $0.key == key })
        }
    }

    /// Makes the tenant's subscription to a type list exactly these instances: created when
    /// there is none, deleted when the list is empty.
    /// - Parameter current: The subscription as last read, or `nil` to read it here.
    package func set(typeKey: String, instanceIDs: [String], scope: StoreScope, current: Record? = nil) async throws(SwitchyardError) {
        guard let tenantID = scope.tenantID else { return }
        let ids = JSONValue.array(instanceIDs.sorted().map { .string($0) })
        var found = current
        if found == nil {
            found = try await records.list(
                .appEventSubscriptions, scope: scope, filter: RecordFilter(key: typeKey, tenantID: tenantID), limit: 1, cursor: nil
            ).items.first
        }
        if let subscription = found, instanceIDs.isEmpty {
            try? await records.delete(.appEventSubscriptions, id: subscription.id, scope: scope)
            return
        }
        guard !instanceIDs.isEmpty else { return }
        // The live type with the key (a type archived and made again gets a new id).
        let typeID = try await records.list(
            .appEventTypes, scope: .workspace(scope.workspaceID), filter: RecordFilter(key: typeKey), limit: 1, cursor: nil
        ).items.first?.id
        let typeValue = typeID.map { JSONValue.string($0) } ?? .null
        if let subscription = found {
            guard subscription.document["flowInstanceIds"] != ids || subscription.document["appEventTypeId"] != typeValue else { return }
            _ = try await records.update(.appEventSubscriptions, id: subscription.id, scope: scope, expectedRevision: nil) { record in
                guard case .object(var document) = record.document else { return }
                document["flowInstanceIds"] = ids
                document["appEventTypeId"] = typeValue
                record.document = .object(document)
                record.parentID = typeID
            }
            return
        }
        let document: JSONValue = [
            "appEventTypeKey": .string(typeKey), "appEventTypeId": typeValue, "tenantId": .string(tenantID), "flowInstanceIds": ids,
        ]
        do {
            _ = try await records.insert(
                NewRecord(kind: .appEventSubscriptions, tenantID: tenantID, key: typeKey, parentID: typeID, document: document), scope: scope)
        } catch where error.key == .alreadyExists {
            // Another sync created it at the same moment; bring theirs in step.
            try await set(typeKey: typeKey, instanceIDs: instanceIDs, scope: scope)
        }
    }
}
