import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// `/platform-users`: the people of the SaaS company who use the console, each a member of a
/// workspace with the role `admin` (platform admin), `member` (workspace admin) or `viewer` (read
/// only). Admin only. The email is the user's key, unique
/// per workspace (an archived user's email is free again). How they sign in is the console's
/// business (Auth0 or built-in logins); this is who they are and what they may do.
enum PlatformUserRoutes {
    static let roles = ["admin", "member", "viewer"]

    static let schema = RecordJSON.schema([
        "email": ["type": "string"], "name": ["type": "string"], "role": ["type": "string", "enum": ["admin", "member", "viewer"]],
    ])

    static let email: JSONValue = ["type": "string", "minLength": 3, "maxLength": 254, "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"]
    static let role: JSONValue = ["type": "string", "enum": ["admin", "member", "viewer"]]
    static let name: JSONValue = ["type": "string", "minLength": 1, "maxLength": 200]

    static func json(_ record: Record) -> JSONValue {
        RecordJSON.object(record, extra: ["email": .string(record.key ?? "")])
    }

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let id = APIRoute.Parameter.path("id", "the user's id or email")
        return [
            APIRoute(
                method: .get, path: "/platform-users", access: .admin, operationID: "listPlatformUsers",
                summary: "List the workspace's console users",
                tag: "Platform users", parameters: APIRoute.Parameter.listParameters, requestSchema: nil,
                responseSchema: RecordJSON.listSchema(schema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                let page = try await deps.records.list(
                    .platformUsers, scope: .workspace(request.caller.workspaceID), filter: RecordFilter(includeArchived: query.includeArchived),
                    limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page, json)
            },
            APIRoute(
                method: .post, path: "/platform-users", access: .admin, operationID: "createPlatformUser",
                summary: "Add a console user to the workspace",
                tag: "Platform users", parameters: [],
                requestSchema: [
                    "type": "object", "additionalProperties": false, "required": ["email", "role"],
                    "properties": ["email": email, "role": role, "name": name],
                ],
                responseSchema: schema, successStatus: 201
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["email", "role", "name"])
                let address = reader.string("email", required: true, maxLength: 254)
                let role = reader.string("role", required: true, maxLength: 20)
                let name = reader.string("name")
                if let address, !isEmail(address) { reader.reject("email", "must be an email address") }
                if let role, !roles.contains(role) { reader.reject("role", "must be admin, member or viewer") }
                try reader.finish()
                var document: [String: JSONValue] = ["role": .string(role ?? "member")]
                if let name { document["name"] = .string(name) }
                return json(
                    try await deps.records.insertKeyed(
                        NewRecord(kind: .platformUsers, key: address?.lowercased(), document: .object(document)),
                        scope: .workspace(request.caller.workspaceID),
                        what: "a platform user"
                    )
                )
            },
            APIRoute(
                method: .get, path: "/platform-users/{id}", access: .admin, operationID: "getPlatformUser", summary: "Get a console user",
                tag: "Platform users",
                parameters: [id], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await resolve(request.path("id"), request, deps))
            },
            APIRoute(
                method: .patch, path: "/platform-users/{id}", access: .admin, operationID: "updatePlatformUser",
                summary: "Change a console user's role or name",
                tag: "Platform users", parameters: [id],
                requestSchema: ["type": "object", "additionalProperties": false, "properties": ["role": role, "name": name]], responseSchema: schema,
                successStatus: 200
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["role", "name"])
                let role = reader.string("role", maxLength: 20)
                let name = reader.string("name")
                if let role, !roles.contains(role) { reader.reject("role", "must be admin, member or viewer") }
                try reader.finish()
                let user = try await resolve(request.path("id"), request, deps)
                let scope = StoreScope.workspace(request.caller.workspaceID)
                if let role, role != "admin", user.document["role"] == "admin" { try await keepAnAdmin(besides: user.id, scope: scope, deps) }
                return json(
                    try await deps.records.update(.platformUsers, id: user.id, scope: scope, expectedRevision: nil) { record in
                        guard case .object(var document) = record.document else { return }
                        if let role { document["role"] = .string(role) }
                        if let name { document["name"] = .string(name) }
                        record.document = .object(document)
                    })
            },
            APIRoute(
                method: .delete, path: "/platform-users/{id}", access: .admin, operationID: "archivePlatformUser",
                summary: "Remove a console user from the workspace",
                tag: "Platform users", parameters: [id], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let user = try await resolve(request.path("id"), request, deps)
                let scope = StoreScope.workspace(request.caller.workspaceID)
                if user.document["role"] == "admin" { try await keepAnAdmin(besides: user.id, scope: scope, deps) }
                return json(try await deps.records.archive(.platformUsers, id: user.id, scope: scope))
            },
        ]
    }

    /// A user by id or email; archived users are not found.
    static func resolve(_ selector: String, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> Record {
        let scope = StoreScope.workspace(request.caller.workspaceID)
        var found = try? await deps.records.get(.platformUsers, id: selector, scope: scope)
        if found == nil {
            found = try await deps.records.list(.platformUsers, scope: scope, filter: RecordFilter(key: selector.lowercased()), limit: 1, cursor: nil)
                .items.first
        }
        guard let user = found, user.archivedAt == nil else { throw SwitchyardError(.notFound, "platform user \(selector) not found") }
        return user
    }

    /// Refuses to leave a workspace that has admins without any.
    static func keepAnAdmin(besides id: String, scope: StoreScope, _ deps: APIDependencies) async throws(SwitchyardError) {
        let users = try await deps.records.list(.platformUsers, scope: scope, filter: RecordFilter(), limit: 1000, cursor: nil).items
        guard users.contains(where: { $0.id != id && $0.document["role"] == "admin" }) else {
            throw SwitchyardError(.conflict, "this is the workspace's last admin; make another user admin first")
        }
    }

    static func isEmail(_ text: String) -> Bool {
        // Everything the schema's pattern accepts passes (one @, a dot in the domain). Scalars, not
        // characters: an `@` or `.` followed by a combining mark or an emoji modifier is still one.
        let parts = text.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
    }
}
