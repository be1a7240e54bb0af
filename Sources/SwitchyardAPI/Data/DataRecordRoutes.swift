import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/connections/{id}/data/{collection}`: a connection's data collection read and written
/// directly, with no action to make first. Lists answer `{items: [{id, fields}], cursor}`
/// (`skipped` names records the collection returned but could not be read); one record is
/// `{id, fields}`. Tenants reach their own connections, admins any in the workspace.
enum DataRecordRoutes {
    static let record: JSONValue = [
        "type": "object", "required": ["id"], "properties": ["id": ["type": "string"], "fields": [:]],
    ]
    static let listSchema: JSONValue = [
        "type": "object", "required": ["items"],
        "properties": [
            "items": ["type": "array", "items": record], "cursor": ["type": "string"],
            "skipped": [
                "type": "array",
                "items": [
                    "type": "object", "properties": ["index": ["type": "integer"], "id": ["type": "string"], "reason": ["type": "string"]],
                ],
            ],
        ],
    ]
    static let writeBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["fields"],
        "properties": ["fields": ["type": "object"], "parameters": ["type": "object"]],
    ]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let id = APIRoute.Parameter.path("id", "the connection's id")
        let collection = APIRoute.Parameter.path("collection", "the key of one of the connector's data collections")
        let recordID = APIRoute.Parameter.path("recordId", "the record's id in the external app")
        let parameters = APIRoute.Parameter.query("parameters", ["type": "string"], "the collection's parameters, as a JSON object")
        return [
            APIRoute(
                method: .get, path: "/connections/{id}/data/{collection}", access: .any, operationID: "listDataRecords",
                summary: "List records of a connection's data collection", tag: "Data",
                parameters: [id, collection, .query("cursor", ["type": "string"], "the cursor of the previous page"), parameters],
                requestSchema: nil, responseSchema: listSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let session = try await session(request, deps)
                let page = try await session.list(cursor: request.query["cursor"], parameters: try collectionParameters(request))
                var members: [String: JSONValue] = ["items": .array(page.records.map(\.json))]
                if let cursor = page.cursor { members["cursor"] = .string(cursor) }
                if !page.skipped.isEmpty {
                    members["skipped"] = .array(page.skipped.map { skipped in
                        var item: [String: JSONValue] = ["index": .number(Double(skipped.index)), "reason": .string(skipped.reason)]
                        if let id = skipped.id { item["id"] = .string(id) }
                        return .object(item)
                    })
                }
                return .object(members)
            },
            APIRoute(
                method: .post, path: "/connections/{id}/data/{collection}", access: .any, operationID: "createDataRecord",
                summary: "Create a record in a connection's data collection", tag: "Data",
                parameters: [id, collection], requestSchema: writeBody, responseSchema: record, successStatus: 201
            ) { request throws(SwitchyardError) in
                let (fields, parameters) = try writeFields(request)
                return try await session(request, deps).create(fields: fields, parameters: parameters)
            },
            APIRoute(
                method: .get, path: "/connections/{id}/data/{collection}/{recordId}", access: .any, operationID: "getDataRecord",
                summary: "Get one record of a connection's data collection", tag: "Data",
                parameters: [id, collection, recordID, parameters], requestSchema: nil, responseSchema: record, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await session(request, deps).find(id: request.path("recordId"), parameters: try collectionParameters(request)).json
            },
            APIRoute(
                method: .patch, path: "/connections/{id}/data/{collection}/{recordId}", access: .any, operationID: "updateDataRecord",
                summary: "Change fields of a record in a connection's data collection", tag: "Data",
                parameters: [id, collection, recordID], requestSchema: writeBody, responseSchema: record, successStatus: 200
            ) { request throws(SwitchyardError) in
                let (fields, parameters) = try writeFields(request)
                return try await session(request, deps).update(id: request.path("recordId"), fields: fields, parameters: parameters)
            },
            APIRoute(
                method: .delete, path: "/connections/{id}/data/{collection}/{recordId}", access: .any, operationID: "deleteDataRecord",
                summary: "Delete a record in a connection's data collection", tag: "Data",
                parameters: [id, collection, recordID], requestSchema: nil, responseSchema: record, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await session(request, deps).delete(id: request.path("recordId"))
                return ["id": .string(request.path("recordId"))]
            },
        ]
    }

    /// The collection of a connection the caller may use.
    private static func session(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> DataCollectionSession {
        let connection = try await ConnectionRoutes.live(request.path("id"), request, deps, includeArchived: false)
        return try await deps.require(deps.operations).dataCollection(
            connectionID: connection.id, key: request.path("collection"), scope: ConnectionRoutes.ownerScope(connection, request))
    }

    /// `?parameters=` as a JSON object.
    private static func collectionParameters(_ request: APIRequest) throws(SwitchyardError) -> JSONValue {
        guard let text = request.query["parameters"] else { return [:] }
        guard let value = try? JSONValue.parse(text), case .object = value else {
            throw SwitchyardError(.badRequest, "parameters must be a JSON object", data: ["parameters": "must be a JSON object"])
        }
        return value
    }

    private static func writeFields(_ request: APIRequest) throws(SwitchyardError) -> (JSONValue, JSONValue) {
        var reader = try BodyReader(request.body, allowed: ["fields", "parameters"])
        let fields = reader.object("fields")
        let parameters = reader.object("parameters")
        if fields == nil { reader.reject("fields", "is required") }
        try reader.finish()
        return (fields ?? [:], parameters ?? [:])
    }
}
