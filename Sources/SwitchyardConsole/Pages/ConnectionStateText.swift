import Foundation
import SwitchyardCore

/// A connection's state in plain words, from the API's connection JSON (`state`,
/// `disconnectedReason`, `lastRefreshError`, `revokeError`, `credentialsExpiresAt`,
/// `archivedAt`): connected, needs attention, disconnected or archived, with why.
struct ConnectionStateText: Sendable, Equatable {
    /// The short label (`Connected`, `Needs attention`, `Disconnected`, `Archived`).
    var label: String
    /// A CSS class naming the kind of state (`ok`, `warn`, `bad`), shown beside the words.
    var tone: String
    /// What it means, in a sentence.
    var explanation: String
    /// The last error the connection reported, if any.
    var lastError: String?

    /// Reads a connection.
    init(_ connection: JSONValue, now: Date = Date()) {
        let refreshError = connection["lastRefreshError"]?.stringValue
        lastError = refreshError ?? connection["disconnectedReason"]?.stringValue ?? connection["revokeError"]?.stringValue
        (label, tone, explanation) = Self.words(connection, now: now)
    }

    private static func words(_ connection: JSONValue, now: Date) -> (String, String, String) {
        let reason = connection["disconnectedReason"]?.stringValue
        let refreshError = connection["lastRefreshError"]?.stringValue
        let lastError = refreshError ?? reason ?? connection["revokeError"]?.stringValue
        if connection["archivedAt"]?.stringValue != nil {
            return ("Archived", "bad", "The connection was archived: its credentials are gone and it no longer runs anything.")
        }
        switch connection["state"]?.stringValue ?? "connected" {
        case "disconnected":
            return ("Disconnected", "bad", "The customer has to connect again." + (reason.map { " Why: \(sentence($0))" } ?? ""))
        case "error":
            return (
                "Needs attention", "warn",
                "Something is wrong that connecting again may not fix." + (lastError.map { " Last error: \(sentence($0))" } ?? "")
            )
        default:
            let expiry = connection["credentialsExpiresAt"]?.numberValue
            if let refreshError {
                return (
                    "Needs attention", "warn",
                    "Connected, but the last refresh of its credentials failed: \(sentence(refreshError))"
                        + " It is tried again; if it keeps failing, the customer has to connect again."
                )
            }
            if let expiry, expiry < now.timeIntervalSince1970 {
                let text = "Connected, but its credentials expired at \(time(expiry)); they are refreshed before the next request."
                return ("Needs attention", "warn", text)
            }
            return ("Connected", "ok", "Its credentials work" + (expiry.map { " until \(time($0)) and are refreshed before then." } ?? "."))
        }
    }

    /// The template values: `stateLabel`, `stateTone`, `stateText`, `lastError`.
    var values: [String: Any] {
        var values: [String: Any] = ["stateLabel": label, "stateTone": tone, "stateText": explanation]
        if let lastError { values["lastError"] = lastError }
        return values
    }

    private static func sentence(_ text: String) -> String {
        let capital = text.prefix(1).uppercased() + text.dropFirst()
        return capital.hasSuffix(".") ? capital : capital + "."
    }

    private static func time(_ seconds: Double) -> String {
        ViewValue.time(Date(timeIntervalSince1970: seconds).formatted(.iso8601)) + " UTC"
    }
}
