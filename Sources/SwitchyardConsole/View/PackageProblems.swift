import Foundation

/// The problems of a refused connector package as rows of a table (file, line, message), read
/// from the API's error: `data.problems` holds one problem a line as `FILE:LINE: PATH: MESSAGE`
/// (docs/connectors.md, "Errors"); an archive refusal names its entry in `data.entry`; a package
/// for another connector is refused with a `spec.yml: key: …` message.
enum PackageProblems {
    /// One row.
    struct Row: Sendable, Equatable {
        /// The package file (or archive entry).
        var file: String
        /// The line, when the API gave one.
        var line: String
        /// What is wrong (with the field path in front when there is one).
        var message: String
    }

    /// The rows of an API error; empty when it names no file.
    static func rows(_ problem: APIProblem) -> [Row] {
        if let text = problem.fields["problems"] {
            return text.split(whereSeparator: \.isNewline).map { parse(String($0)) }
        }
        if let entry = problem.fields["entry"] {
            return [Row(file: entry, line: "", message: problem.message)]
        }
        // A package for another connector: "spec.yml: key: the package's key is …".
        if problem.message.hasPrefix("spec.yml: ") { return [parse(problem.message)] }
        return []
    }

    /// One `FILE:LINE: PATH: MESSAGE` line (`FILE: MESSAGE` without a line); a line of another
    /// shape is kept whole as the message.
    static func parse(_ line: String) -> Row {
        guard let separator = line.range(of: ": ") else { return Row(file: "", line: "", message: line) }
        let head = line[..<separator.lowerBound]
        let message = String(line[separator.upperBound...])
        if let colon = head.lastIndex(of: ":") {
            let number = head[head.index(after: colon)...]
            if !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber) {
                return Row(file: String(head[..<colon]), line: String(number), message: message)
            }
        }
        return Row(file: String(head), line: "", message: message)
    }

    /// The rows as template values.
    static func values(_ rows: [Row]) -> [[String: Any]] {
        rows.map { row in
            var values: [String: Any] = ["file": row.file, "message": row.message]
            if !row.line.isEmpty { values["line"] = row.line }
            return values
        }
    }
}
