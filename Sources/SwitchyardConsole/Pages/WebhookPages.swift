import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/webhooks`: where the workspace's webhook notifications go (URL, events, a write-only
/// signing secret), the deliveries with their attempts, and replaying a failed one.
enum WebhookPages {
    /// The events a notification can be sent for (as the API lists them).
    static let events = [
        "connection.created", "connection.reconnected", "connection.disconnected", "connection.deleted",
        "flowRun.queued", "flowRun.started", "flowRun.completed", "flowRun.failed", "flowRun.stopped",
    ]
    /// The delivery states a list can be narrowed to.
    static let statuses = ["pending", "delivered", "failed"]

    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        pages.get("/webhooks") { page in try await settings(page) }
        pages.post("/webhooks") { page in try await save(page) }
        pages.post("/webhooks/remove") { page in try await remove(page) }
        pages.get("/webhooks/deliveries/:id") { page in try await delivery(page) }
        pages.post("/webhooks/deliveries/:id/replay") { page in try await replay(page) }
    }

    /// The settings form and the deliveries list.
    static func settings(_ page: PageRequest) async throws -> PageResult {
        let current = try await page.get("/webhook-settings")
        let chosen = Set((current["events"]?.arrayValue ?? []).compactMap(\.stringValue))
        return try await view(page, url: current["url"]?.stringValue ?? "", chosen: chosen, configured: current["configured"] == .bool(true))
    }

    /// Saves the settings; an API error keeps the input and shows the message by its field.
    static func save(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        let url = form["url"].trimmingWhitespace()
        let secret = form["secret"]
        let chosen = Set(events.filter { form[$0] == "on" })
        var body: [String: JSONValue] = ["url": .string(url), "events": .array(events.filter(chosen.contains).map { .string($0) })]
        if !secret.isEmpty { body["secret"] = .string(secret) }
        if case .failure(let problem) = try await page.submit(.put, "/webhook-settings", .object(body)) {
            let configured = (try? await page.get("/webhook-settings"))?["configured"] == .bool(true)
            return try await view(page, url: url, chosen: chosen, configured: configured, problem: problem)
        }
        return .redirect("/webhooks", notice: "Webhook settings saved.")
    }

    /// Stops notifications.
    static func remove(_ page: PageRequest) async throws -> PageResult {
        _ = try await page.change(.delete, "/webhook-settings")
        return .redirect("/webhooks", notice: "Webhook notifications stopped.")
    }

    /// One delivery with its attempts.
    static func delivery(_ page: PageRequest) async throws -> PageResult {
        let id = page.parameter("id")
        let answer = try await page.get(EngineRequest.path("webhook-deliveries", id))
        var values = ViewValue.of(answer) as? [String: Any] ?? [:]
        values["payloadText"] = ViewValue.pretty(answer["payload"])
        values["created"] = ViewValue.time(answer["createdAt"]?.stringValue)
        values["failed"] = answer["status"] == "failed"
        values["attempts"] = (answer["attempts"]?.arrayValue ?? []).map { attempt -> [String: Any] in
            var item = ViewValue.of(attempt) as? [String: Any] ?? [:]
            item["text"] = ViewValue.pretty(attempt)
            return item
        }
        return .view(
            PageView(
                title: "Webhook delivery \(answer["event"]?.stringValue ?? id)", template: "webhook-delivery", section: "/webhooks", values: values))
    }

    /// Sends a failed delivery again.
    static func replay(_ page: PageRequest) async throws -> PageResult {
        let id = page.parameter("id")
        _ = try await page.change(.post, EngineRequest.path("webhook-deliveries", id, "replay"))
        return .redirect("/webhooks/deliveries" + EngineRequest.path(id), notice: "The notification is queued to be sent again.")
    }

    private static func view(
        _ page: PageRequest, url: String, chosen: Set<String>, configured: Bool, problem: APIProblem? = nil
    ) async throws -> PageResult {
        let paging = ListPage(page)
        let status = statuses.contains(page.query("status")) ? page.query("status") : ""
        let answer = try await page.get("/webhook-deliveries", paging.query(["status": status]).filter { $0.key != "search" })
        let base = page.console.settings
        var values: [String: Any] = [
            "url": url, "configured": configured, "errors": problem?.fieldValues ?? [:],
            "events": events.map { ["name": $0, "id": "event-" + $0.replacingOccurrences(of: ".", with: "-"), "checked": chosen.contains($0)] },
            "statuses": statuses.map { ["name": $0, "selected": $0 == status] },
        ]
        // A nil boxed in Any is no nil to the template: it would show "nil".
        if let problem { values["problem"] = problem.sentence }
        let items = ListPage.items(answer) { item, values in
            values["href"] = base.url("/webhooks/deliveries" + EngineRequest.path(item["id"]?.stringValue ?? ""))
            values["created"] = ViewValue.time(item["createdAt"]?.stringValue)
        }
        values["deliveries"] = items
        values["empty"] = items.isEmpty
        values["next"] = ListPage.next(answer, path: "/webhooks", page: page, keep: ["status"])
        return .view(
            PageView(
                title: "Webhook notifications", template: "webhooks", section: "/webhooks", values: values,
                status: problem.map {
                    .init(code: $0.status)
                } ?? .ok))
    }
}
