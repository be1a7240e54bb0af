import SwitchyardCore
import SwitchyardStore

/// Data links: pairs of an app record id and an external record id, kept per data link table
/// instance (a connection's instance of a `/data-link-tables` element), found either way.
/// They answer `create-data-link` and `find-data-link` nodes, find-or-create-data-record's
/// link, and the formula operators `$lookup`, `$findExternalRecordId` and `$findAppRecordId`.
package struct DataLinks: Sendable {
    let records: any RecordStore
    /// How many rounds of lookups one evaluation may take (a lookup whose id comes from another
    /// lookup takes one more).
    static let maxRounds = 5

    /// Creates the helper.
    package init(records: any RecordStore) { self.records = records }

    /// A connection's instance of a data link table, created (following its integration's or
    /// universal table) when `create` and it does not exist yet.
    /// - Throws: `not_found` when no table has this key above the connection's instances.
    package func table(_ key: String, connection: Record, scope: StoreScope, create: Bool) async throws(SwitchyardError) -> Element? {
        if let found = try await ElementLookup.instance(.dataLinkTables, key: key, connectionID: connection.id, records: records, scope: scope) {
            return found
        }
        guard
            let parent = try await ElementLookup.shared(.dataLinkTables, key: key, integrationID: connection.parentID, records: records, scope: scope)
        else {
            throw SwitchyardError(
                .notFound, "no data link table with key \(key) for the connection's integration or at the universal layer",
                data: ["dataLinkTableKey": "no such data link table"])
        }
        guard create else { return nil }
        let document = Element.document(
            layer: .instance, integrationID: connection.parentID, connectionID: connection.id, instanceKey: nil, isCustomized: false, content: nil)
        let owner = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        do {
            return Element(
                try await records.insert(
                    NewRecord(kind: .dataLinkTables, tenantID: connection.tenantID, key: key, parentID: parent.id, document: document), scope: owner))
        } catch where error.key == .alreadyExists {
            return try await ElementLookup.instance(.dataLinkTables, key: key, connectionID: connection.id, records: records, scope: scope)
        }
    }

    /// The link of an app record or of an external record in a table instance, if there is one.
    package func find(
        in table: Element, appRecordID: String? = nil, externalRecordID: String? = nil, scope: StoreScope
    ) async throws(SwitchyardError)
        -> Record?
    {
        var fields: [String: String?] = [:]
        if let appRecordID { fields["appRecordId"] = appRecordID }
        if let externalRecordID { fields["externalRecordId"] = externalRecordID }
        let filter = RecordFilter(parentID: table.record.id, documentFields: fields)
        return try await records.list(.dataLinks, scope: scope, filter: filter, limit: 1, cursor: nil).items.first
    }

    /// Links an app record and an external record; the same link again is no change.
    /// - Returns: The link and whether it is new.
    /// - Throws: `conflict` when either record is already linked to another one.
    package func link(
        in table: Element, appRecordID: String, externalRecordID: String, scope: StoreScope
    ) async throws(SwitchyardError) -> (
        link: Record, created: Bool
    ) {
        if let existing = try await find(in: table, appRecordID: appRecordID, scope: scope) {
            guard existing.document["externalRecordId"]?.stringValue == externalRecordID else {
                throw SwitchyardError(
                    .conflict, "app record \(appRecordID) is already linked to another external record in data link table \(table.record.key ?? "")",
                    data: ["appRecordId": "is already linked"])
            }
            return (existing, false)
        }
        if try await find(in: table, externalRecordID: externalRecordID, scope: scope) != nil {
            throw SwitchyardError(
                .conflict, "external record \(externalRecordID) is already linked to another app record in data link table \(table.record.key ?? "")",
                data: ["externalRecordId": "is already linked"])
        }
        let document: JSONValue = [
            "appRecordId": .string(appRecordID), "externalRecordId": .string(externalRecordID),
            "dataLinkTableKey": .string(table.record.key ?? ""), "connectionId": .string(table.connectionID ?? ""),
        ]
        let owner = table.record.tenantID.map { StoreScope.tenant($0, in: table.record.workspaceID) } ?? scope
        // The key makes an app record's link unique in its table, even when two runs link at once.
        let key = "app:\(table.record.id):\(appRecordID)"
        do {
            let record = try await records.insert(
                NewRecord(kind: .dataLinks, tenantID: table.record.tenantID, key: key, parentID: table.record.id, document: document), scope: owner)
            return (record, true)
        } catch where error.key == .alreadyExists {
            guard let existing = try await find(in: table, appRecordID: appRecordID, scope: scope),
                existing.document["externalRecordId"]?.stringValue == externalRecordID
            else {
                throw SwitchyardError(
                    .conflict, "app record \(appRecordID) was just linked to another external record", data: ["appRecordId": "is already linked"])
            }
            return (existing, false)
        }
    }

    /// The answers to data link queries for a connection (`nil` where there is no link).
    /// - Throws: `not_found` for a table key no table has.
    package func answers(
        _ queries: Set<FormulaLinkQuery>, connectionID: String, scope: StoreScope
    ) async throws(SwitchyardError) -> [FormulaLinkQuery: String?] {
        let connection = try await records.get(.connections, id: connectionID, scope: scope)
        var tables: [String: Element?] = [:]
        var answers: [FormulaLinkQuery: String?] = [:]
        for query in queries.sorted(by: { $0.description < $1.description }) {
            if tables[query.table] == nil {
                tables[query.table] = .some(try await table(query.table, connection: connection, scope: scope, create: false))
            }
            guard let table = tables[query.table] ?? nil else {
                answers[query] = .some(nil)
                continue
            }
            switch query.direction {
            case .appToExternal:
                answers[query] = .some(try await find(in: table, appRecordID: query.id, scope: scope)?.document["externalRecordId"]?.stringValue)
            case .externalToApp:
                answers[query] = .some(try await find(in: table, externalRecordID: query.id, scope: scope)?.document["appRecordId"]?.stringValue)
            }
        }
        return answers
    }

    /// Looks up what the data link operators in `values` ask for, for a connection, and adds
    /// the answers to `links`, round by round (decision 0021). Formula errors are left for the
    /// evaluation that follows to report.
    package func prefetch(
        _ values: [JSONValue], variables: JSONValue, connectionID: String, scope: StoreScope, into links: inout FormulaLinks
    )
        async throws(SwitchyardError)
    {
        for value in values where Formula.usesDataLinks(value) {
            for _ in 0..<Self.maxRounds {
                links.missing = []
                do {
                    _ = try Formula.evaluate(value, variables: variables, links: &links)
                } catch {
                    break
                }
                if links.missing.isEmpty { break }
                for (query, answer) in try await answers(links.missing, connectionID: connectionID, scope: scope) { links.answers[query] = answer }
            }
        }
        links.missing = []
    }

    /// Evaluates a value whose data link operators resolve through a connection's tables (or
    /// fail, when there is no connection).
    /// - Parameter failure: Turns a formula error into the caller's error (naming its field).
    package func evaluate(
        _ value: JSONValue, variables: JSONValue, connectionID: String?, scope: StoreScope, failure: (FormulaError) -> SwitchyardError
    ) async throws(SwitchyardError) -> JSONValue {
        guard let connectionID, Formula.usesDataLinks(value) else {
            do {
                return try Formula.evaluate(value, variables: variables)
            } catch {
                throw failure(error)
            }
        }
        var links = FormulaLinks()
        try await prefetch([value], variables: variables, connectionID: connectionID, scope: scope, into: &links)
        return try Self.evaluate(value, variables: variables, links: links, failure: failure)
    }

    /// Evaluates with answers already looked up (``prefetch(_:variables:connectionID:scope:into:)``);
    /// `nil` links make the operators fail with `not_supported`.
    /// - Throws: The formula's error, or `bad_request` when lookups depend on each other more
    ///   than ``maxRounds`` deep.
    package static func evaluate(
        _ value: JSONValue, variables: JSONValue, links: FormulaLinks?, failure: (FormulaError) -> SwitchyardError
    ) throws(SwitchyardError) -> JSONValue {
        do throws(FormulaError) {
            guard var links else { return try Formula.evaluate(value, variables: variables) }
            let result = try Formula.evaluate(value, variables: variables, links: &links)
            guard links.missing.isEmpty else {
                throw FormulaError(.limitExceeded, "data link lookups depend on each other more than \(maxRounds) deep", path: "(top level)")
            }
            return result
        } catch {
            throw failure(error)
        }
    }
}
