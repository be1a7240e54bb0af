import Foundation
import SwitchyardCore

/// Where Switchyard keeps its state: an embedded SQLite file or a PostgreSQL server.
///
/// Parsed from `DATABASE_URL`: a `postgres://` or `postgresql://` URL selects PostgreSQL; a
/// `sqlite://` URL, a `file:` URL or a plain path selects SQLite. With no `DATABASE_URL` the
/// embedded default is `DATA_DIR/switchyard.sqlite`.
package enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An embedded SQLite database at a file path.
    case sqlite(path: String)
    /// A PostgreSQL server.
    case postgres(PostgresURL)

    /// Parses a `DATABASE_URL` value.
    /// - Parameter value: The variable's value.
    /// - Returns: The location it names.
    /// - Throws: ``SwitchyardError`` with key `bad_request` naming what is wrong.
    package static func parse(_ value: String) throws(SwitchyardError) -> DatabaseLocation {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw SwitchyardError(.badRequest, "is empty; give a postgres:// URL or a SQLite file path")
        }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            return .postgres(try PostgresURL.parse(trimmed))
        }
        if lower.hasPrefix("sqlite://") {
            let path = String(trimmed.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw SwitchyardError(.badRequest, "sqlite:// URL has no file path") }
            return .sqlite(path: path)
        }
        if lower.hasPrefix("file:") {
            var path = String(trimmed.dropFirst("file:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw SwitchyardError(.badRequest, "file: URL has no file path") }
            return .sqlite(path: path)
        }
        if let schemeEnd = trimmed.range(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound]
            throw SwitchyardError(
                .badRequest,
                "unsupported scheme '\(scheme)'; use postgres:// (or postgresql://) or a SQLite file path"
            )
        }
        return .sqlite(path: trimmed)
    }

    /// A description safe for logs: the PostgreSQL password is masked.
    package var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): url.description
        }
    }
}
