import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// `GET /self`: who the token belongs to.
enum SelfRoutes {
    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/self", access: .any, operationID: "getSelf", summary: "The caller: workspace, and customer for tenant tokens",
                tag: "Self",
                parameters: [], requestSchema: nil,
                responseSchema: [
                    "type": "object", "required": ["workspaceKey", "isAdmin"],
                    "properties": [
                        "workspaceKey": ["type": "string"], "workspaceName": ["type": "string"], "isAdmin": ["type": "boolean"],
                        "customer": CustomerRoutes.schema,
                    ],
                ],
                successStatus: 200
            ) { request throws(SwitchyardError) in
                let workspace = try await deps.workspaces.workspace(key: request.caller.workspaceID)
                var members: [String: JSONValue] = [
                    "workspaceKey": .string(workspace.key), "workspaceName": .string(workspace.name), "isAdmin": .bool(request.caller.isAdmin),
                ]
                if let tenantID = request.caller.tenantID {
                    members["customer"] = CustomerRoutes.json(try await deps.records.get(.tenants, id: tenantID, scope: request.caller.scope))
                }
                return .object(members)
            }
        ]
    }
}
