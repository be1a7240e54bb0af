import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// `/customers` (alias `/tenants`): the SaaS company's customers. Admin only.
enum CustomerRoutes {
    static let schema = RecordJSON.schema([
        "internalId": ["type": "string"], "name": ["type": "string"], "fields": ["type": "object"],
    ])

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        ["/customers", "/tenants"].flatMap { base in routes(base, deps) }
    }

    static func json(_ record: Record) -> JSONValue {
        RecordJSON.object(record, extra: ["internalId": .string(record.key ?? "")])
    }

    static func resolve(
        _ selector: String, _ request: APIRequest, _ deps: APIDependencies, includeArchived: Bool = false
    ) async throws(SwitchyardError) -> Record {
        let record = try await find(selector, request, deps)
        guard includeArchived || record.archivedAt == nil else {
            throw SwitchyardError(.notFound, "customer \(selector) is archived (add includeArchived=true to see it)")
        }
        return record
    }

    /// The tenant id a list's `customerId` filter names: for an admin, the customer's id (found
    /// by id or internalId; an unknown one is `not_found`); a tenant sees only its own rows anyway.
    static func filterID(_ selector: String?, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> String? {
        guard let selector, !selector.isEmpty else { return nil }
        guard request.caller.isAdmin else { return selector }
        return try await resolve(selector, request, deps, includeArchived: true).id
    }

    private static func find(_ selector: String, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> Record {
        let scope = StoreScope.workspace(request.caller.workspaceID)
        if let record = try? await deps.records.get(.tenants, id: selector, scope: scope) { return record }
        let derived = TenantDirectory.recordID(workspaceID: request.caller.workspaceID, key: selector)
        do throws(SwitchyardError) {
            return try await deps.records.get(.tenants, id: derived, scope: scope)
        } catch where error.key == .notFound {
            throw SwitchyardError(.notFound, "customer \(selector) not found")
        }
    }

    private static func routes(_ base: String, _ deps: APIDependencies) -> [APIRoute] {
        let name = base == "/customers" ? "Customer" : "Tenant"
        let limits: JSONValue = [
            "type": "object", "additionalProperties": false,
            "properties": ["requestsPerSecond": ["type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000]],
        ]
        let createBody: JSONValue = [
            "type": "object", "additionalProperties": false, "required": ["internalId"],
            "properties": [
                "internalId": ["type": "string", "minLength": 1, "maxLength": 256], "name": ["type": "string", "minLength": 1, "maxLength": 200],
                "fields": ["type": "object"],
            ],
        ]
        let updateBody: JSONValue = [
            "type": "object", "additionalProperties": false,
            "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 200], "fields": ["type": "object"], "limits": limits],
        ]
        return [
            APIRoute(
                method: .get, path: base, access: .admin, operationID: "list\(name)s", summary: "List customers", tag: "Customers",
                parameters: APIRoute.Parameter.searchableList("internalId or name"), requestSchema: nil,
                responseSchema: RecordJSON.listSchema(schema),
                successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                let page = try await deps.records.list(
                    .tenants, scope: .workspace(request.caller.workspaceID), filter: query.filter(searchFields: ["name"]),
                    limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page, json)
            },
            APIRoute(
                method: .post, path: base, access: .admin, operationID: "create\(name)", summary: "Create a customer", tag: "Customers",
                parameters: [], requestSchema: createBody, responseSchema: schema, successStatus: 201
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["internalId", "name", "fields"])
                let internalID = reader.string("internalId", required: true, maxLength: 256)
                let name = reader.string("name")
                let fields = reader.object("fields")
                try reader.finish()
                let id = TenantDirectory.recordID(workspaceID: request.caller.workspaceID, key: internalID!)
                var document: [String: JSONValue] = ["name": .string(name ?? internalID!)]
                if let fields { document["fields"] = fields }
                do throws(SwitchyardError) {
                    let record = try await deps.records.insert(
                        NewRecord(kind: .tenants, id: id, tenantID: id, key: internalID, document: .object(document)),
                        scope: .tenant(id, in: request.caller.workspaceID)
                    )
                    return json(record)
                } catch where error.key == .alreadyExists {
                    throw SwitchyardError(
                        .alreadyExists, "a customer with internalId \(internalID!) already exists", data: ["internalId": "already exists"])
                }
            },
            APIRoute(
                method: .get, path: base + "/{id}", access: .admin, operationID: "get\(name)", summary: "Get a customer by id or internalId",
                tag: "Customers",
                parameters: [
                    .path("id", "the customer's id or internalId"), .query("includeArchived", ["type": "boolean"], "also find an archived one"),
                ], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await resolve(request.path("id"), request, deps, includeArchived: try ListQuery(request.query).includeArchived))
            },
            APIRoute(
                method: .patch, path: base + "/{id}", access: .admin, operationID: "update\(name)", summary: "Change a customer's name or fields",
                tag: "Customers",
                parameters: [.path("id", "the customer's id or internalId")], requestSchema: updateBody, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["name", "fields", "limits"])
                let name = reader.string("name")
                let fields = reader.object("fields")
                let limits = reader.object("limits")
                if let limits, case .object(let members) = limits {
                    if members.keys.contains(where: { $0 != "requestsPerSecond" }) { reader.reject("limits", "may only set requestsPerSecond") }
                    if let rate = members["requestsPerSecond"], !(rate.numberValue.map { $0 > 0 && $0 <= 1_000_000 } ?? false) {
                        reader.reject("limits", "requestsPerSecond must be a number from 0 to 1000000")
                    }
                }
                try reader.finish()
                let existing = try await resolve(request.path("id"), request, deps)
                let record = try await deps.records.update(
                    .tenants, id: existing.id, scope: .tenant(existing.id, in: request.caller.workspaceID), expectedRevision: nil
                ) { record in
                    guard case .object(var document) = record.document else { return }
                    if let name { document["name"] = .string(name) }
                    if let fields { document["fields"] = fields }
                    if let limits { document["limits"] = limits }
                    record.document = .object(document)
                }
                deps.tenants.forget(record.id)
                return json(record)
            },
            APIRoute(
                method: .delete, path: base + "/{id}", access: .admin, operationID: "archive\(name)",
                summary: "Archive a customer (its tokens stop working)", tag: "Customers",
                parameters: [.path("id", "the customer's id or internalId")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await resolve(request.path("id"), request, deps)
                let record = try await deps.records.archive(.tenants, id: existing.id, scope: .tenant(existing.id, in: request.caller.workspaceID))
                deps.tenants.forget(record.id)
                return json(record)
            },
        ]
    }
}
