import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// The workspace's webhook notifications (admins only): `GET|PUT|DELETE /webhook-settings` (the
/// URL, the events it wants, and the signing secret, which is write-only), and
/// `/webhook-deliveries`: every notification with its attempts; `status=failed` is the
/// dead-letter list, and `POST /webhook-deliveries/{id}/replay` sends a failed one again.
enum WebhookRoutes {
    static let settingsSchema: JSONValue = [
        "type": "object",
        "properties": [
            "url": ["type": "string"], "events": ["type": "array", "items": ["type": "string"]], "secret": ["type": "string"],
            "configured": ["type": "boolean"],
        ],
    ]
    static let settingsBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["url"],
        "properties": [
            "url": ["type": "string", "minLength": 1, "maxLength": 2000, "pattern": "^https?://"],
            "secret": ["type": "string", "minLength": 16, "maxLength": 200],
            "events": ["type": "array", "items": ["type": "string", "enum": .array(WebhookSettings.events.map { .string($0) })], "maxItems": 50],
        ],
    ]
    static let deliverySchema = RecordJSON.schema([
        "event": ["type": "string"], "status": ["type": "string", "enum": ["pending", "delivered", "failed"]], "attemptCount": ["type": "integer"],
        "attempts": ["type": "array"], "payload": ["type": "object"],
    ])

    static func settingsJSON(_ settings: WebhookSettings?) -> JSONValue {
        guard let settings else { return ["configured": false, "events": []] }
        return ["configured": true, "url": .string(settings.url), "events": .array(settings.events.map { .string($0) }), "secret": "[redacted]"]
    }

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/webhook-settings", access: .admin, operationID: "getWebhookSettings",
                summary: "Get where webhook notifications go", tag: "Webhooks",
                parameters: [], requestSchema: nil, responseSchema: settingsSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                settingsJSON(try await WebhookSettings.read(workspaceID: request.caller.workspaceID, records: deps.records))
            },
            APIRoute(
                method: .put, path: "/webhook-settings", access: .admin, operationID: "putWebhookSettings",
                summary: "Set the webhook URL, its signing secret (HMAC-SHA256 of each body; required the first time, kept when left out) "
                    + "and the events to send (all when empty)",
                tag: "Webhooks",
                parameters: [], requestSchema: settingsBody, responseSchema: settingsSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["url", "secret", "events"])
                let current = try await WebhookSettings.read(workspaceID: request.caller.workspaceID, records: deps.records)
                let url = reader.string("url", required: true, maxLength: 2000)
                let secret = reader.string("secret", required: current == nil, maxLength: 200) ?? current?.secret
                if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) { reader.reject("url", "must be an http(s) URL") }
                if let secret, secret.unicodeScalars.count < 16 { reader.reject("secret", "must be 16 to 200 characters") }
                var events: [String] = []
                switch reader.members("events") {
                case nil: break
                case .array(let items)?:
                    events = items.compactMap(\.stringValue)
                    let unknown = items.filter { item in item.stringValue.map { !WebhookSettings.events.contains($0) } ?? true }
                    if !unknown.isEmpty || items.count > 50 {
                        reader.reject("events", "must be at most 50 of: \(WebhookSettings.events.joined(separator: ", "))")
                    }
                default: reader.reject("events", "must be an array of event names")
                }
                try reader.finish()
                let settings = WebhookSettings(url: url ?? "", secret: secret ?? "", events: events)
                _ = try await WebhookSettings.write(settings, workspaceID: request.caller.workspaceID, records: deps.records)
                deps.webhooks?.forget(request.caller.workspaceID)
                return settingsJSON(settings)
            },
            APIRoute(
                method: .delete, path: "/webhook-settings", access: .admin, operationID: "deleteWebhookSettings",
                summary: "Stop sending webhook notifications", tag: "Webhooks",
                parameters: [], requestSchema: nil, responseSchema: settingsSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                _ = try await WebhookSettings.write(nil, workspaceID: request.caller.workspaceID, records: deps.records)
                deps.webhooks?.forget(request.caller.workspaceID)
                return settingsJSON(nil)
            },
            APIRoute(
                method: .get, path: "/webhook-deliveries", access: .admin, operationID: "listWebhookDeliveries",
                summary: "List webhook notifications, oldest first (status=failed: the dead-letter list)", tag: "Webhooks",
                parameters: APIRoute.Parameter.listParameters + [
                    .query("status", ["type": "string", "enum": ["pending", "delivered", "failed"]], "only deliveries in this status"),
                    .query("event", ["type": "string"], "only this event"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(deliverySchema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                if let status = request.query["status"], !["pending", "delivered", "failed"].contains(status) {
                    throw SwitchyardError(
                        .badRequest, "status must be pending, delivered or failed", data: ["status": "must be pending, delivered or failed"])
                }
                var fields: [String: String?] = [:]
                if let status = request.query["status"] { fields["status"] = status }
                if let event = request.query["event"] { fields["event"] = event }
                let page = try await deps.records.list(
                    .webhookDeliveries, scope: .workspace(request.caller.workspaceID),
                    filter: RecordFilter(includeArchived: query.includeArchived, documentFields: fields), limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page) { RecordJSON.object($0) }
            },
            APIRoute(
                method: .get, path: "/webhook-deliveries/{id}", access: .admin, operationID: "getWebhookDelivery",
                summary: "Get one webhook notification and its attempts",
                tag: "Webhooks", parameters: [.path("id", "the delivery's id")], requestSchema: nil, responseSchema: deliverySchema,
                successStatus: 200
            ) { request throws(SwitchyardError) in
                RecordJSON.object(
                    try await deps.records.get(.webhookDeliveries, id: request.path("id"), scope: .workspace(request.caller.workspaceID)))
            },
            APIRoute(
                method: .post, path: "/webhook-deliveries/{id}/replay", access: .admin, operationID: "replayWebhookDelivery",
                summary: "Send a failed webhook notification again (with a fresh set of attempts)", tag: "Webhooks",
                parameters: [.path("id", "the delivery's id")], requestSchema: nil, responseSchema: deliverySchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await deps.records.get(.webhookDeliveries, id: request.path("id"), scope: .workspace(request.caller.workspaceID))
                return RecordJSON.object(try await deps.require(deps.webhooks).replay(existing.id, workspaceID: request.caller.workspaceID))
            },
        ]
    }
}
