/// One data link lookup a formula asks for: the id on the other side of a link in a data link
/// table (`$findExternalRecordId`, `$findAppRecordId`, `$lookup`).
package struct FormulaLinkQuery: Hashable, Sendable, CustomStringConvertible {
    /// Which side is known.
    package enum Direction: String, Sendable {
        /// The app record id is known; the external record id is wanted.
        case appToExternal
        /// The external record id is known; the app record id is wanted.
        case externalToApp
    }

    /// The data link table's key.
    package var table: String
    /// Which way the lookup goes.
    package var direction: Direction
    /// The known id.
    package var id: String

    /// Creates a query.
    package init(table: String, direction: Direction, id: String) {
        self.table = table
        self.direction = direction
        self.id = id
    }

    /// The query in one line, for messages.
    package var description: String { "\(table): \(direction.rawValue) \(id)" }
}

/// The data link answers one evaluation may use. The evaluator is synchronous and pure, so it
/// cannot read the store: a caller evaluates with the answers it has, looks up the queries the
/// evaluation left in ``missing`` (asynchronously, in one go), adds their answers and evaluates
/// again, until nothing is missing (decision 0021). An evaluation with no ``FormulaLinks`` at
/// all fails on the link operators, saying that data links need a connection.
package struct FormulaLinks: Sendable {
    /// Known answers: the id on the other side, or `nil` when there is no such link.
    package var answers: [FormulaLinkQuery: String?]
    /// Queries an evaluation asked for that ``answers`` does not hold.
    package var missing: Set<FormulaLinkQuery>

    /// Creates answers.
    package init(answers: [FormulaLinkQuery: String?] = [:]) {
        self.answers = answers
        missing = []
    }
}
