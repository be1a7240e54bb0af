import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// The data-record and data-link action types: collection methods through the connection, in
/// the app's shape when `config.fieldMappingKey` names a field mapping (writes are exported
/// through it, results imported), and links between app and external records.
extension ActionRunner {
    /// What a config field's formula gives (`nil` when the config has no such field).
    typealias ConfigValue = (String) throws(SwitchyardError) -> JSONValue?

    /// Runs a data-record or data-link action as the connection.
    func runData(_ action: ActionDefinition, value: ConfigValue, connectionID: String, scope: StoreScope) async throws(SwitchyardError) -> JSONValue {
        let records = operations.resolver.records
        let connection = try await records.get(.connections, id: connectionID, scope: scope)
        if action.kind == .createDataLink || action.kind == .findDataLink {
            return try await runLink(action, value: value, connection: connection, scope: scope)
        }
        let mappings = FieldMappings(records: records)
        var mapping: FieldMapping?
        if let key = try value("fieldMappingKey"), key != .null {
            guard let text = key.stringValue, !text.isEmpty else {
                throw SwitchyardError(
                    .badRequest, "action \(action.name): config.fieldMappingKey must give a field mapping's key",
                    data: ["config.fieldMappingKey": "must be a key"])
            }
            mapping = try await mappings.effective(text, connection: connection, scope: scope)
        }
        guard let collection = try value("collectionKey")?.stringValue ?? mapping?.collectionKey, !collection.isEmpty else {
            throw SwitchyardError(
                .badRequest, "action \(action.name): config.collectionKey must give a collection key (or the field mapping must have one)",
                data: ["config.collectionKey": "is required"])
        }
        let target = DataTarget(connectionID: connectionID, collection: collection, mapping: mapping, mappings: mappings, scope: scope)
        if action.kind == .findOrCreateDataRecord { return try await findOrCreate(action, value: value, connection: connection, target) }
        var (method, input) = try Self.dataCall(action.kind, value: value)
        if let mapping, case .object(var members) = input {
            if let fields = members["fields"] {
                members["fields"] = try await mappings.export(fields, mapping, partial: method == .update, connectionID: connectionID, scope: scope)
            }
            if let query = members["query"], case .object = query {
                members["query"] = try await mappings.export(query, mapping, partial: true, connectionID: connectionID, scope: scope)
            }
            input = .object(members)
        }
        let result = try await operations.runDataMethod(
            connectionID: connectionID, collection: collection, method: method, input: input, scope: scope)
        guard let mapping else { return result }
        return try await mappings.importResult(result, mapping, connectionID: connectionID, scope: scope)
    }

    /// Where a data action goes: the connection's collection, through a field mapping or not.
    struct DataTarget {
        var connectionID: String
        var collection: String
        var mapping: FieldMapping?
        var mappings: FieldMappings
        var scope: StoreScope
    }

    /// find-or-create-data-record: the linked record when `dataLinkTableKey` and `appRecordId`
    /// name a link whose external record still exists; else a match on `query` (default: the
    /// fields); else a new record. A record found by match or created is linked to the app
    /// record when a table is named.
    private func findOrCreate(
        _ action: ActionDefinition, value: ConfigValue, connection: Record, _ target: DataTarget
    ) async throws(SwitchyardError)
        -> JSONValue
    {
        let given = try value("fields") ?? [:]
        let givenQuery = try value("query")
        var fields = given
        var query = givenQuery ?? given
        if let mapping = target.mapping {
            fields = try await target.mappings.export(given, mapping, partial: false, connectionID: target.connectionID, scope: target.scope)
            query = fields
            if let givenQuery {
                query = try await target.mappings.export(givenQuery, mapping, partial: true, connectionID: target.connectionID, scope: target.scope)
            }
        }
        var table: Element?
        var appRecordID: String?
        if let tableKey = try value("dataLinkTableKey"), tableKey != .null {
            guard let key = tableKey.stringValue, !key.isEmpty, let id = Self.recordID(try value("appRecordId")) else {
                throw SwitchyardError(
                    .badRequest, "action \(action.name): config.dataLinkTableKey needs config.appRecordId, the app record to link",
                    data: ["config.appRecordId": "is required with dataLinkTableKey"])
            }
            appRecordID = id
            table = try await dataLinks.table(key, connection: connection, scope: target.scope, create: true)
            if let table, let link = try await dataLinks.find(in: table, appRecordID: id, scope: target.scope) {
                if let externalID = link.document["externalRecordId"]?.stringValue,
                    let record = try await linkedRecord(externalID, target)
                {
                    return try await output(record, created: false, linked: true, target)
                }
                // The linked record is gone: the link goes too, and the record is found or made anew.
                try await operations.resolver.records.delete(.dataLinks, id: link.id, scope: target.scope)
            }
        }
        let found = try await operations.runDataMethod(
            connectionID: target.connectionID, collection: target.collection, method: .match, input: ["query": query], scope: target.scope)
        var record = Self.matched(found)
        let created = record == nil
        if record == nil {
            let made = try await operations.runDataMethod(
                connectionID: target.connectionID, collection: target.collection, method: .create, input: ["fields": fields], scope: target.scope)
            record = made["record"] ?? made
        }
        let result = record ?? .null
        var linked = false
        if let table, let appRecordID, let externalID = Self.recordID(result["id"]) {
            _ = try await dataLinks.link(in: table, appRecordID: appRecordID, externalRecordID: externalID, scope: target.scope)
            linked = true
        }
        return try await output(result, created: created, linked: linked, target)
    }

    /// The external record a link points at, or `nil` when the collection no longer has it.
    private func linkedRecord(_ externalID: String, _ target: DataTarget) async throws(SwitchyardError) -> JSONValue? {
        do {
            let found = try await operations.runDataMethod(
                connectionID: target.connectionID, collection: target.collection, method: .findById, input: ["id": .string(externalID)],
                scope: target.scope)
            return Self.matched(found)
        } catch where error.key == .notFound || error.data["status"] == "404" {
            // (A connector's rest-api-mapping reports the API's 404 as bad_request with its status.)
            return nil
        }
    }

    /// find-or-create's output: `{record, created, linked}`, the record in the app's shape (and
    /// as the collection has it, `externalRecord`) with a field mapping.
    private func output(_ record: JSONValue, created: Bool, linked: Bool, _ target: DataTarget) async throws(SwitchyardError) -> JSONValue {
        var members: [String: JSONValue] = ["record": record, "created": .bool(created), "linked": .bool(linked)]
        if let mapping = target.mapping {
            members["externalRecord"] = record
            members["record"] = try await target.mappings.import(record, mapping, connectionID: target.connectionID, scope: target.scope)
        }
        return .object(members)
    }

    /// create-data-link (`{dataLinkTableKey, appRecordId, externalRecordId}`) and
    /// find-data-link (`{dataLinkTableKey}` with `appRecordId` or `externalRecordId`).
    private func runLink(
        _ action: ActionDefinition, value: ConfigValue, connection: Record, scope: StoreScope
    ) async throws(SwitchyardError)
        -> JSONValue
    {
        guard let key = try value("dataLinkTableKey")?.stringValue, !key.isEmpty else {
            throw SwitchyardError(
                .badRequest, "action \(action.name): config.dataLinkTableKey must give a data link table's key",
                data: ["config.dataLinkTableKey": "must be a key"])
        }
        let app = Self.recordID(try value("appRecordId"))
        let external = Self.recordID(try value("externalRecordId"))
        if action.kind == .createDataLink {
            guard let app, let external else {
                throw SwitchyardError(
                    .badRequest, "action \(action.name): config.appRecordId and config.externalRecordId must give record ids (strings or numbers)",
                    data: [app == nil ? "config.appRecordId" : "config.externalRecordId": "must be a record id"])
            }
            let table = try await dataLinks.table(key, connection: connection, scope: scope, create: true)
            guard let table else { throw SwitchyardError(.internal, "data link table \(key) was not created") }
            let (link, created) = try await dataLinks.link(in: table, appRecordID: app, externalRecordID: external, scope: scope)
            return ["appRecordId": .string(app), "externalRecordId": .string(external), "created": .bool(created), "dataLinkId": .string(link.id)]
        }
        guard (app == nil) != (external == nil) else {
            throw SwitchyardError(
                .badRequest, "action \(action.name): give exactly one of config.appRecordId and config.externalRecordId (a record id)",
                data: ["config.appRecordId": "give this or externalRecordId"])
        }
        let table = try await dataLinks.table(key, connection: connection, scope: scope, create: false)
        var link: Record?
        if let table { link = try await dataLinks.find(in: table, appRecordID: app, externalRecordID: external, scope: scope) }
        guard let link else {
            var members: [String: JSONValue] = ["found": false]
            if let app { members["appRecordId"] = .string(app) }
            if let external { members["externalRecordId"] = .string(external) }
            return .object(members)
        }
        return [
            "found": true, "appRecordId": link.document["appRecordId"] ?? .null, "externalRecordId": link.document["externalRecordId"] ?? .null,
            "dataLinkId": .string(link.id),
        ]
    }

    /// A record id given as a string or a number, or `nil`.
    static func recordID(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)? where !text.isEmpty: text
        case .number?: value?.jsonText
        default: nil
        }
    }
}
