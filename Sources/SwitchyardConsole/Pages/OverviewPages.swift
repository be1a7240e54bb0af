import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/`: the workspace at a glance, from `GET /status` — the roles seen (job workers and
/// role leases recorded in the database), queue depths, flow runs per minute over the last hour
/// as an SVG chart, and the latest failed runs — plus who is signed in.
enum OverviewPages {
    /// Registers the page.
    static func register(_ pages: PageRoutes) {
        pages.get("/") { page in try await show(page) }
    }

    /// The overview.
    static func show(_ page: PageRequest) async throws -> PageResult {
        let status = try await page.get("/status")
        let workspace = try await page.get("/workspace")
        let base = page.console.settings
        let counts = (status["runsPerMinute"]?["counts"]?.arrayValue ?? []).map { Int($0.numberValue ?? 0) }
        let workers = (status["workers"]?.arrayValue ?? []).map { worker -> [String: Any] in
            var values = ViewValue.of(worker) as? [String: Any] ?? [:]
            values["seen"] = ViewValue.time(worker["lastSeenAt"]?.stringValue)
            values["state"] = worker["busy"] == .bool(true) ? "busy" : "idle"
            return values
        }
        let leases = (status["leases"]?.arrayValue ?? []).map { lease -> [String: Any] in
            var values = ViewValue.of(lease) as? [String: Any] ?? [:]
            values["expires"] = ViewValue.time(lease["expiresAt"]?.stringValue)
            return values
        }
        let queues = (status["queues"]?.arrayValue ?? []).map { queue -> [String: Any] in
            let states = queue["states"]
            return [
                "queue": queue["queue"]?.stringValue ?? "", "waiting": number(queue["waiting"]), "running": number(states?["running"]),
                "retryable": number(states?["retryable"]),
                "dead": String(Int((states?["discarded"]?.numberValue ?? 0) + (states?["cancelled"]?.numberValue ?? 0))),
                "href": base.url("/jobs") + "?queue=" + (queue["queue"]?.stringValue ?? ""),
            ]
        }
        let failures = (status["latestFailedRuns"]?.arrayValue ?? []).map { run -> [String: Any] in
            let id = run["id"]?.stringValue ?? ""
            return [
                "href": base.url("/flow-runs" + EngineRequest.path(id)), "flow": run["flowKey"]?.stringValue ?? id,
                "error": run["error"]?["message"]?.stringValue ?? run["error"]?.stringValue ?? "",
                "when": ViewValue.time(run["finishedAt"]?.stringValue ?? run["createdAt"]?.stringValue),
            ]
        }
        let values: [String: Any] = [
            "name": page.user.name, "email": page.user.email, "role": ConsoleRole(page.user.role).label,
            "workspaceKey": workspace["key"]?.stringValue ?? "", "workers": workers, "noWorkers": workers.isEmpty, "leases": leases,
            "queues": queues, "chart": RunsChart.svg(counts.map { RunsChart.Minute(runs: $0, failed: 0) }),
            "totalRuns": counts.reduce(0, +), "failures": failures, "noFailures": failures.isEmpty,
        ]
        return .view(PageView(title: "Overview", template: "overview", section: "/", values: values))
    }

    /// A count as text (`0` when absent).
    private static func number(_ value: JSONValue?) -> String { String(Int(value?.numberValue ?? 0)) }
}
