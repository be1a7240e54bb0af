import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/integrations`: admins create and change them; tenants read them, each seeing its own
/// connection to the integration, if any.
///
/// An integration may pin a connector version (`connectorVersion`: a published version, or
/// `development` for the last upload). Its `parameters` (the OAuth client id and secret, say)
/// are stored encrypted; responses show each value as `[redacted]`, except to an admin who asks
/// with `includeSecrets=true`.
enum IntegrationRoutes {
    static let schema = RecordJSON.schema([
        "name": ["type": "string"], "connectorId": ["type": "string"], "connectorVersion": ["type": "string"], "parameters": ["type": "object"],
        "logoUri": ["type": "string", "description": "the connector's logo (its spec.yml's logoUri)"],
        "connection": ConnectionRoutes.schema,
    ])

    static let properties: JSONValue = [
        "key": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^./]+$"],
        "name": ["type": "string", "minLength": 1, "maxLength": 200],
        "connectorId": ["type": "string", "minLength": 1, "maxLength": 200],
        "connectorVersion": ["type": "string", "minLength": 1, "maxLength": 64, "pattern": .string(SemanticVersion.pinPattern)],
        "parameters": ["type": "object"],
    ]
    static let fields: Set<String> = ["key", "name", "connectorId", "connectorVersion", "parameters"]
    static let createBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["key", "name"], "properties": properties,
        "dependentRequired": ["connectorVersion": ["connectorId"]],
    ]
    static let updateBody: JSONValue = ["type": "object", "additionalProperties": false, "properties": properties]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/integrations", access: .any, operationID: "listIntegrations", summary: "List integrations", tag: "Integrations",
                parameters: APIRoute.Parameter.searchableList("key or name"), requestSchema: nil, responseSchema: RecordJSON.listSchema(schema),
                successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                let scope = request.caller.scope
                let page = try await deps.records.list(
                    .integrations, scope: scope, filter: query.filter(searchFields: ["name"]), limit: query.limit,
                    cursor: query.cursor
                )
                var connections: [String: Record] = [:]
                if request.caller.tenantID != nil {
                    for connection in try await deps.records.list(.connections, scope: scope, filter: RecordFilter(), limit: 1000, cursor: nil).items
                    {
                        if let parent = connection.parentID, connections[parent] == nil { connections[parent] = connection }
                    }
                }
                let logos = try await logos(of: page.items, scope: scope, deps)
                return RecordJSON.list(page) { record in json(record, connection: connections[record.id], logo: logos[record.id]) }
            },
            APIRoute(
                method: .post, path: "/integrations", access: .admin, operationID: "createIntegration", summary: "Create an integration",
                tag: "Integrations",
                parameters: [], requestSchema: createBody, responseSchema: schema, successStatus: 201
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: fields)
                let key = reader.string("key", required: true, maxLength: 100)
                let name = reader.string("name", required: true)
                let connectorID = reader.string("connectorId")
                let version = reader.string("connectorVersion", maxLength: 64)
                let parameters = reader.object("parameters")
                if let key, key.contains(".") || key.contains("/") { reader.reject("key", "must not contain . or /") }
                if version != nil, connectorID == nil { reader.reject("connectorVersion", "needs connectorId") }
                try reader.finish()
                var document = IntegrationDocument(name: name!)
                if let connectorID {
                    let connector = try await ElementSelector.resolve(.connectors, connectorID, scope: request.caller.scope, records: deps.records)
                    document.connectorID = connector.id
                    if let version { document.connectorVersion = try await pinnable(version, of: connector, request.caller.scope, deps) }
                }
                let record = try await deps.records.insertKeyed(
                    NewRecord(kind: .integrations, key: key, document: document.json, secret: parameters), scope: request.caller.scope,
                    what: "an integration"
                )
                return json(record, connection: nil)
            },
            APIRoute(
                method: .get, path: "/integrations/{selector}", access: .any, operationID: "getIntegration",
                summary: "Get an integration by id or key", tag: "Integrations",
                parameters: [
                    .path("selector", "the integration's id or key"), .query("includeArchived", ["type": "boolean"], "also find an archived one"),
                    .query("includeSecrets", ["type": "boolean"], "admins only: show parameter values instead of [redacted]"),
                ],
                requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let reveal = try secretsRequested(request)
                let record = try await ElementSelector.resolve(
                    .integrations, request.path("selector"), scope: request.caller.scope, records: deps.records,
                    includeArchived: try ListQuery(request.query).includeArchived
                )
                var connection: Record?
                if request.caller.tenantID != nil {
                    connection = try await deps.records.list(
                        .connections, scope: request.caller.scope, filter: RecordFilter(parentID: record.id), limit: 1, cursor: nil
                    ).items.first
                }
                let logo = try await logos(of: [record], scope: request.caller.scope, deps)[record.id]
                return json(record, connection: connection, revealSecrets: reveal, logo: logo)
            },
            APIRoute(
                method: .patch, path: "/integrations/{selector}", access: .admin, operationID: "updateIntegration", summary: "Change an integration",
                tag: "Integrations",
                parameters: [.path("selector", "the integration's id or key")], requestSchema: updateBody, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: fields)
                let key = reader.string("key", maxLength: 100)
                if let key, key.contains(".") || key.contains("/") { reader.reject("key", "must not contain . or /") }
                let name = reader.string("name")
                let connectorID = reader.string("connectorId")
                let version = reader.string("connectorVersion", maxLength: 64)
                let parameters = reader.object("parameters")
                try reader.finish()
                let scope = request.caller.scope
                let existing = try await ElementSelector.resolve(.integrations, request.path("selector"), scope: scope, records: deps.records)
                var connector: Record?
                if let id = connectorID ?? (version != nil ? existing.integrationDocument.connectorID : nil) {
                    connector = try await ElementSelector.resolve(.connectors, id, scope: scope, records: deps.records)
                }
                if version != nil, connector == nil {
                    // Valid on its own; it contradicts the integration, which has no connector to pin.
                    throw SwitchyardError(
                        .conflict, "integration \(existing.key ?? existing.id) has no connector; set connectorId with connectorVersion",
                        data: ["connectorVersion": "needs connectorId"])
                }
                var pinnedVersion: String?
                if let version, let connector { pinnedVersion = try await pinnable(version, of: connector, scope, deps) }
                let (newConnector, pinned) = (connector, pinnedVersion)
                let record = try await deps.records.update(.integrations, id: existing.id, scope: scope, expectedRevision: nil) { record in
                    if let key { record.key = key }
                    var document = record.integrationDocument
                    if let name { document.name = name }
                    // Another connector: a version pinned for the old one no longer applies.
                    if let connector = newConnector, connectorID != nil { document.use(connector: connector.id) }
                    if let pinned { document.connectorVersion = pinned }
                    if let parameters { record.secret = parameters }
                    record.integrationDocument = document
                }
                deps.configuration?.forgetConfiguration()
                return json(record, connection: nil)
            },
            APIRoute(
                method: .delete, path: "/integrations/{selector}", access: .admin, operationID: "archiveIntegration",
                summary: "Archive an integration", tag: "Integrations",
                parameters: [.path("selector", "the integration's id or key")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await ElementSelector.resolve(
                    .integrations, request.path("selector"), scope: request.caller.scope, records: deps.records)
                let archived = try await deps.records.archive(.integrations, id: existing.id, scope: request.caller.scope)
                deps.configuration?.forgetConfiguration()
                return json(archived, connection: nil)
            },
        ]
    }

    static func json(_ record: Record, connection: Record?, revealSecrets: Bool = false, logo: String? = nil) -> JSONValue {
        var extra = connection.map { ["connection": ConnectionRoutes.json($0)] } ?? [:]
        if let logo { extra["logoUri"] = .string(logo) }
        if case .object(let parameters)? = record.secret {
            extra["parameters"] = revealSecrets ? .object(parameters) : .object(parameters.mapValues { _ in "[redacted]" })
        }
        return RecordJSON.object(record, extra: extra)
    }

    /// The logo URI of each integration's connector (from its `spec.yml`), by integration id; one
    /// read per distinct connector of the page.
    static func logos(of integrations: [Record], scope: StoreScope, _ deps: APIDependencies) async throws(SwitchyardError) -> [String: String] {
        var byConnector: [String: String?] = [:]
        var logos: [String: String] = [:]
        for integration in integrations {
            guard let connectorID = integration.integrationDocument.connectorID else { continue }
            if byConnector[connectorID] == nil {
                let connector = try? await deps.records.get(.connectors, id: connectorID, scope: scope)
                byConnector[connectorID] = .some(connector?.connectorDocument.logoURI)
            }
            if case .some(.some(let logo)) = byConnector[connectorID] { logos[integration.id] = logo }
        }
        return logos
    }

    /// Whether the caller asked for parameter values (`includeSecrets=true`, admins only).
    static func secretsRequested(_ request: APIRequest) throws(SwitchyardError) -> Bool {
        switch request.query["includeSecrets"] {
        case nil, "false"?: return false
        case "true"?:
            guard request.caller.isAdmin else { throw SwitchyardError(.accessDenied, "includeSecrets=true needs an admin token") }
            return true
        case let other?:
            throw SwitchyardError(
                .badRequest, "includeSecrets must be true or false, got \(other)", data: ["includeSecrets": "must be true or false"])
        }
    }

    /// The version an integration may pin: `development` when the connector has an upload, or
    /// one of its published versions.
    static func pinnable(
        _ version: String, of connector: Record, _ scope: StoreScope, _ deps: APIDependencies
    ) async throws(SwitchyardError) -> String {
        let name = connector.key ?? connector.id
        if version == "development" {
            guard connector.connectorDocument.development != nil else {
                throw SwitchyardError(
                    .notFound, "connector \(name) has no development version to pin", data: ["connectorVersion": "no development version"])
            }
            return version
        }
        guard let parsed = SemanticVersion(version) else {
            throw SwitchyardError(
                .badRequest, "invalid request: connectorVersion must be development or a semantic version",
                data: ["connectorVersion": "is not a version"])
        }
        let found = try await deps.records.list(
            .connectorVersions, scope: scope, filter: RecordFilter(key: "\(connector.id)@\(parsed)", parentID: connector.id), limit: 1, cursor: nil
        ).items
        guard !found.isEmpty else {
            throw SwitchyardError(.notFound, "connector \(name) has no published version \(parsed)", data: ["connectorVersion": "not published"])
        }
        return parsed.description
    }
}
