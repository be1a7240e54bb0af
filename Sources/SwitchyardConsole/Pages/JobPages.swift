import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/jobs`: the workspace's background jobs by queue and state (the dead letters are
/// `discarded` and `cancelled`), a job's attempts and errors, and retrying or cancelling one.
enum JobPages {
    /// The queues.
    static let queues = ["instant", "queued"]
    /// The job states a list can be narrowed to; the last is the dead letters.
    static let states = ["available", "scheduled", "running", "retryable", "completed", "cancelled", "discarded", "discarded,cancelled"]

    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        pages.get("/jobs") { page in try await list(page) }
        pages.get("/jobs/:id") { page in try await detail(page) }
        pages.post("/jobs/:id/retry") { page in try await act(page, "retry", "The job is queued again.") }
        pages.post("/jobs/:id/cancel") { page in try await act(page, "cancel", "The job is cancelled.") }
    }

    /// Depths per queue and the jobs list.
    static func list(_ page: PageRequest) async throws -> PageResult {
        let queue = queues.contains(page.query("queue")) ? page.query("queue") : ""
        let state = states.contains(page.query("state")) ? page.query("state") : ""
        let depths = try await page.get("/background-jobs/queues")
        var query = ["queue": queue, "state": state, "limit": String(ListPage.pageSize)]
        if !page.query("cursor").isEmpty { query["cursor"] = page.query("cursor") }
        let answer = try await page.get("/background-jobs", query)
        let base = page.console.settings
        let items = ListPage.items(answer) { item, values in
            values["href"] = base.url("/jobs" + EngineRequest.path(jobID(item)))
            values["created"] = ViewValue.time(item["createdAt"]?.stringValue)
        }
        var values: [String: Any] = [
            "depths": (depths["queues"]?.arrayValue ?? []).map { entry -> [String: Any] in
                var row = ViewValue.of(entry["states"] ?? [:]) as? [String: Any] ?? [:]
                row["queue"] = entry["queue"]?.stringValue ?? ""
                row["waiting"] = ViewValue.of(entry["waiting"] ?? 0) ?? "0"
                row["deadHref"] = base.url("/jobs") + "?queue=\(entry["queue"]?.stringValue ?? "")&state=discarded%2Ccancelled"
                return row
            },
            "items": items, "empty": items.isEmpty,
            "queues": queues.map { ["name": $0, "selected": $0 == queue] },
            "states": states.map { ["name": $0, "label": $0 == "discarded,cancelled" ? "dead letters" : $0, "selected": $0 == state] },
        ]
        values["next"] = ListPage.next(answer, path: "/jobs", page: page, keep: ["queue", "state"])
        return .view(PageView(title: "Jobs", template: "jobs", section: "/jobs", values: values))
    }

    /// One job.
    static func detail(_ page: PageRequest) async throws -> PageResult {
        let job = try await page.get(EngineRequest.path("background-jobs", page.parameter("id")))
        var values = ViewValue.of(job) as? [String: Any] ?? [:]
        let state = job["state"]?.stringValue ?? ""
        values["canRetry"] = state == "discarded" || state == "cancelled"
        values["canCancel"] = !["completed", "discarded", "cancelled"].contains(state)
        values["argsText"] = ViewValue.pretty(job["args"])
        values["errors"] = (job["errors"]?.arrayValue ?? []).map { ViewValue.of($0) ?? [:] }
        for name in ["createdAt", "scheduledAt", "attemptedAt", "finishedAt"] {
            values[name + "Text"] = ViewValue.time(job[name]?.stringValue)
        }
        return .view(PageView(title: "Job \(jobID(job)) (\(job["kind"]?.stringValue ?? ""))", template: "job", section: "/jobs", values: values))
    }

    /// A job's id as text (the API sends it as a string).
    static func jobID(_ job: JSONValue) -> String { job["id"]?.stringValue ?? job["id"].map { $0.jsonText } ?? "" }

    private static func act(_ page: PageRequest, _ action: String, _ notice: String) async throws -> PageResult {
        let id = page.parameter("id")
        _ = try await page.change(.post, EngineRequest.path("background-jobs", id, action))
        return .redirect("/jobs" + EngineRequest.path(id), notice: notice)
    }
}
