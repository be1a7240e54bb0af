import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/data-links`: the links between app records and external records of a connection, kept in
/// the connection's instance of a data link table (`/data-link-tables`; the instance is made
/// on the first link). A tenant reads and writes its own connections' links; an admin any.
enum DataLinkRoutes {
    static let identifier: JSONValue = ["type": "string", "minLength": 1, "maxLength": 200]
    static let schema = RecordJSON.schema([
        "appRecordId": ["type": "string"], "externalRecordId": ["type": "string"], "dataLinkTableKey": ["type": "string"],
        "connectionId": ["type": "string"],
    ])
    static let createBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["connectionId", "dataLinkTableKey", "appRecordId", "externalRecordId"],
        "properties": ["connectionId": identifier, "dataLinkTableKey": identifier, "appRecordId": identifier, "externalRecordId": identifier],
    ]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let id = APIRoute.Parameter.path("id", "the data link's id")
        let tag = "Data links"
        return [
            APIRoute(
                method: .get, path: "/data-links", access: .any, operationID: "listDataLinks", summary: "List data links, oldest first", tag: tag,
                parameters: APIRoute.Parameter.listParameters + [
                    .query("connectionId", ["type": "string"], "only this connection's links"),
                    .query("dataLinkTableKey", ["type": "string"], "only links in the tables with this key"),
                    .query("dataLinkTableInstanceId", ["type": "string"], "only links in this data link table instance"),
                    .query("appRecordId", ["type": "string"], "only the link of this app record"),
                    .query("externalRecordId", ["type": "string"], "only the link of this external record"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(schema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                var fields: [String: String?] = [:]
                for name in ["connectionId", "dataLinkTableKey", "appRecordId", "externalRecordId"] {
                    if let value = request.query[name] { fields[name] = value }
                }
                let filter = RecordFilter(parentID: request.query["dataLinkTableInstanceId"], documentFields: fields)
                let page = try await deps.records.list(
                    .dataLinks, scope: request.caller.scope, filter: filter, limit: query.limit, cursor: query.cursor)
                return RecordJSON.list(page) { json($0) }
            },
            APIRoute(
                method: .post, path: "/data-links", access: .any, operationID: "createDataLink",
                summary: "Link an app record and an external record in a connection's data link table (the same link again changes nothing)",
                tag: tag,
                parameters: [], requestSchema: createBody, responseSchema: schema, successStatus: 201
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["connectionId", "dataLinkTableKey", "appRecordId", "externalRecordId"])
                let connectionID = reader.string("connectionId", required: true)
                let tableKey = reader.string("dataLinkTableKey", required: true)
                let appRecordID = reader.string("appRecordId", required: true)
                let externalRecordID = reader.string("externalRecordId", required: true)
                try reader.finish()
                let connection = try await ConnectionRoutes.live(connectionID ?? "", request, deps, includeArchived: false)
                let scope = ConnectionRoutes.ownerScope(connection, request)
                let links = DataLinks(records: deps.records)
                guard let table = try await links.table(tableKey ?? "", connection: connection, scope: scope, create: true) else {
                    throw SwitchyardError(.internal, "data link table \(tableKey ?? "") was not created")
                }
                let (link, _) = try await links.link(
                    in: table, appRecordID: appRecordID ?? "", externalRecordID: externalRecordID ?? "", scope: scope)
                return json(link)
            },
            APIRoute(
                method: .get, path: "/data-links/{id}", access: .any, operationID: "getDataLink", summary: "Get a data link", tag: tag,
                parameters: [id], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await deps.records.get(.dataLinks, id: request.path("id"), scope: request.caller.scope))
            },
            APIRoute(
                method: .delete, path: "/data-links/{id}", access: .any, operationID: "deleteDataLink", summary: "Delete a data link", tag: tag,
                parameters: [id], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let link = try await deps.records.get(.dataLinks, id: request.path("id"), scope: request.caller.scope)
                let owner = link.tenantID.map { StoreScope.tenant($0, in: request.caller.workspaceID) } ?? request.caller.scope
                try await deps.records.delete(.dataLinks, id: link.id, scope: owner)
                return json(link)
            },
        ]
    }

    /// A link as responses show it (its internal uniqueness key left out).
    static func json(_ record: Record) -> JSONValue {
        var link = record
        link.key = nil
        return RecordJSON.object(link)
    }
}
