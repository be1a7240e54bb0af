import SwitchyardCore

/// One thing wrong with a connector package, located as precisely as possible.
///
/// Printed as `FILE:LINE: PATH: MESSAGE`, e.g.
/// `operations/create-task/spec.yml:7: run.method: must be one of GET, POST, PUT, PATCH, DELETE`;
/// the line is left out when unknown, the path when the problem is with the whole file.
package struct ConnectorProblem: Sendable, Hashable, CustomStringConvertible {
    /// The package file, relative to the package root.
    package var file: String
    /// The line (from 1), when known.
    package var line: Int?
    /// The column (from 1), when known.
    package var column: Int?
    /// The field path inside the file (`run.method`, `auth.options.apiKey.type`), or empty.
    package var path: String
    /// What is wrong.
    package var message: String

    /// Creates a problem.
    package init(file: String, line: Int? = nil, column: Int? = nil, path: String = "", message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    package var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if !path.isEmpty { text += path + ": " }
        return text + message
    }

    /// The JSON form: `{file, line, column, path, message}` (unknown parts left out).
    package var json: JSONValue {
        var object: [String: JSONValue] = ["file": .string(file), "message": .string(message)]
        if let line { object["line"] = .number(Double(line)) }
        if let column { object["column"] = .number(Double(column)) }
        if !path.isEmpty { object["path"] = .string(path) }
        return .object(object)
    }
}

/// A connector package failed validation; every problem found is listed, in file and line order.
package struct ConnectorValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem.
    package var problems: [ConnectorProblem]

    /// Creates an error.
    package init(problems: [ConnectorProblem]) {
        self.problems = problems
    }

    /// One problem a line.
    package var description: String { problems.map(\.description).joined(separator: "\n") }

    /// The error as the API reports it: `bad_request`, the problems one a line in `data["problems"]`.
    package var switchyardError: SwitchyardError {
        let count = problems.count
        let summary = count == 1 ? "1 problem" : "\(count) problems"
        let first = problems.first.map { ": \($0.description)" } ?? ""
        return SwitchyardError(
            .badRequest, "The connector package is invalid (\(summary))\(first)",
            data: ["problems": description, "problemCount": String(count)])
    }
}
