import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// `/workspace/limits` and `/customers/{id}/limits`: the queued-task limits (`ENABLE_LIMITS`)
/// of the workspace and of one customer. A `null` field inherits (a customer from the
/// workspace, the workspace from the deployment's `QUEUED_TASKS_MAX_*` defaults); answers also
/// give the effective values and whether limits are on. Admin only.
enum LimitRoutes {
    static let fields = ["runningPerConnection", "runningPerTenant", "queuePerConnection"]
    /// The largest limit accepted.
    static let maximum = 1_000_000

    static let values: JSONValue = .object(
        Dictionary(uniqueKeysWithValues: fields.map { ($0, ["type": ["integer", "null"], "minimum": 1, "maximum": .number(Double(maximum))]) }))

    static let schema: JSONValue = [
        "type": "object", "required": ["limitsEnabled", "limits", "effective"],
        "properties": [
            "limitsEnabled": ["type": "boolean", "description": "whether ENABLE_LIMITS is on"],
            "customerId": ["type": "string"],
            "limits": ["type": "object", "properties": values, "description": "what is set here (null inherits)"],
            "effective": ["type": "object", "properties": values, "description": "what applies (null: no cap)"],
        ],
    ]

    static let body: JSONValue = ["type": "object", "additionalProperties": false, "properties": values]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let customer = APIRoute.Parameter.path("id", "the customer's id or internalId")
        return [
            APIRoute(
                method: .get, path: "/workspace/limits", access: .admin, operationID: "getWorkspaceLimits",
                summary: "The workspace's queued-task limits and the effective ones", tag: "Workspace", parameters: [], requestSchema: nil,
                responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await answer(request.caller.workspaceID, tenant: nil, deps)
            },
            APIRoute(
                method: .put, path: "/workspace/limits", access: .admin, operationID: "setWorkspaceLimits",
                summary: "Set the workspace's queued-task limits (null or absent inherits the deployment's)", tag: "Workspace",
                parameters: [], requestSchema: body, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let limits = try read(request.body)
                try await deps.jobs.setLimits(limits, workspaceID: request.caller.workspaceID, tenantID: nil)
                return try await answer(request.caller.workspaceID, tenant: nil, deps)
            },
            APIRoute(
                method: .get, path: "/customers/{id}/limits", access: .admin, operationID: "getCustomerLimits",
                summary: "A customer's queued-task limits and the effective ones", tag: "Customers", parameters: [customer], requestSchema: nil,
                responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let record = try await CustomerRoutes.resolve(request.path("id"), request, deps)
                return try await answer(request.caller.workspaceID, tenant: record.id, deps)
            },
            APIRoute(
                method: .put, path: "/customers/{id}/limits", access: .admin, operationID: "setCustomerLimits",
                summary: "Set a customer's queued-task limits (null or absent inherits the workspace's)", tag: "Customers",
                parameters: [customer], requestSchema: body, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let limits = try read(request.body)
                let record = try await CustomerRoutes.resolve(request.path("id"), request, deps)
                try await deps.jobs.setLimits(limits, workspaceID: request.caller.workspaceID, tenantID: record.id)
                return try await answer(request.caller.workspaceID, tenant: record.id, deps)
            },
        ]
    }

    /// Reads a body of limits: each field a whole number from 1 to ``maximum``, or null.
    static func read(_ body: JSONValue?) throws(SwitchyardError) -> JobLimits {
        var reader = try BodyReader(body, allowed: Set(fields))
        var values: [String: Int] = [:]
        for name in fields {
            switch reader.members(name) {
            case nil, .null?: continue
            case .number(let number)?:
                if number.rounded() == number, number >= 1, number <= Double(maximum) {
                    values[name] = Int(number)
                } else {
                    reader.reject(name, "must be a whole number from 1 to \(maximum), or null to inherit")
                }
            default: reader.reject(name, "must be a whole number from 1 to \(maximum), or null to inherit")
            }
        }
        try reader.finish()
        return JobLimits(
            runningPerConnection: values["runningPerConnection"], runningPerTenant: values["runningPerTenant"],
            queuePerConnection: values["queuePerConnection"])
    }

    /// The limits set on the workspace (or a customer), and the effective ones.
    static func answer(_ workspaceID: String, tenant: String?, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let workspace = try await deps.jobs.limits(workspaceID: workspaceID, tenantID: nil)
        var set = workspace
        var effective = workspace.over(deps.limitDefaults.defaults)
        var members: [String: JSONValue] = ["limitsEnabled": .bool(deps.limitsEnabled)]
        if let tenant {
            set = try await deps.jobs.limits(workspaceID: workspaceID, tenantID: tenant)
            effective = set.over(effective)
            members["customerId"] = .string(tenant)
        }
        members["limits"] = json(set)
        members["effective"] = json(effective)
        return .object(members)
    }

    static func json(_ limits: JobLimits) -> JSONValue {
        let number = { (value: Int?) -> JSONValue in value.map { .number(Double($0)) } ?? .null }
        return [
            "runningPerConnection": number(limits.runningPerConnection), "runningPerTenant": number(limits.runningPerTenant),
            "queuePerConnection": number(limits.queuePerConnection),
        ]
    }
}
