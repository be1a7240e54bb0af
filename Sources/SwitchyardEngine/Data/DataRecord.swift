import SwitchyardConnectors
import SwitchyardCore

/// A record of a data collection as Switchyard hands it on: the external app's id, the fields
/// (`fieldsFromApi` applied), and the value of the collection's updated field when it has one.
package struct DataRecord: Sendable, Equatable {
    /// The id in the external app.
    package var id: String
    /// The record's fields.
    package var fields: JSONValue
    /// The value of `pull-latest-records.updatedField` in the API record, when there is one.
    package var updated: JSONValue?

    /// The JSON form: `{id, fields}`.
    package var json: JSONValue { ["id": .string(id), "fields": fields] }
}

/// One page of a `list` call, with the records it could not use and why.
package struct DataPage: Sendable {
    /// The usable records, in the order the API gave them (a repeated id keeps its first).
    package var records: [DataRecord]
    /// The cursor of the next page, or `nil` on the last one.
    package var cursor: String?
    /// Records skipped, each with its position on the page, its id when it has one, and the reason.
    package var skipped: [(index: Int, id: String?, reason: String)]
}

/// Turns what a collection's functions return into records, the same way for every caller: the
/// direct data routes, pulls and scans.
package struct DataRecordReader: Sendable {
    /// The collection.
    let collection: ConnectorDataCollection
    /// Its fields schema, compiled once (`nil` when it does not compile, reported by ``schemaProblem``).
    let schema: JSONSchema?
    /// Why the fields schema cannot be used, if it cannot.
    let schemaProblem: String?
    /// The updated field of incremental pulls, when the collection declares one.
    let updatedField: String?

    /// Creates a reader for a collection.
    package init(_ collection: ConnectorDataCollection) {
        self.collection = collection
        updatedField = collection.events?.pullLatestRecords?.updatedField
        do {
            schema = try JSONSchema(collection.fieldsSchema)
            schemaProblem = nil
        } catch {
            schema = nil
            schemaProblem = error.message
        }
    }

    /// Reads a `list` (or `search`) result: `{records: [...], cursor}` (`items` is accepted for
    /// `records`), or a bare list as a last page.
    /// - Throws: `bad_request` naming the collection when the result has no list of records.
    package func page(_ output: JSONValue) throws(SwitchyardError) -> DataPage {
        let items: [JSONValue]
        var cursor: String?
        switch output {
        case .array(let list):
            items = list
        case .object(let members):
            guard case .array(let list)? = members["records"] ?? members["items"] else {
                throw SwitchyardError(
                    .badRequest, "data collection \(collection.key): list must return {records: [...], cursor}, got an object without records")
            }
            items = list
            switch members["cursor"] {
            case .string(let text)? where !text.isEmpty: cursor = text
            case .number(let number)?: cursor = Self.text(number)
            default: cursor = nil
            }
        default:
            throw SwitchyardError(.badRequest,
                "data collection \(collection.key): list must return {records: [...], cursor}, got \(output.typeDescription)")
        }
        var records: [DataRecord] = []
        records.reserveCapacity(items.count)
        var skipped: [(Int, String?, String)] = []
        var seen = Set<String>()
        seen.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            switch record(item) {
            case .success(let record):
                if seen.insert(record.id).inserted {
                    records.append(record)
                } else {
                    skipped.append((index, nil, "record \(record.id) appears twice on the page"))
                }
            case .failure(let error):
                skipped.append((index, identifier(item), error.message))
            }
        }
        return DataPage(records: records, cursor: cursor, skipped: skipped)
    }

    /// The id of an API record, when it has a usable one.
    func identifier(_ item: JSONValue) -> String? {
        switch item[collection.idField] {
        case .string(let text)? where !text.isEmpty: text
        case .number(let number)?: Self.text(number)
        default: nil
        }
    }

    /// Reads one API record: its id, its fields (checked against the fields schema) and its
    /// updated value.
    package func record(_ item: JSONValue) -> Result<DataRecord, SwitchyardError> {
        guard case .object(let members) = item else {
            return .failure(SwitchyardError(.badRequest, "a record must be an object, not \(item.typeDescription)"))
        }
        guard let id = identifier(item) else {
            return .failure(SwitchyardError(.badRequest, "a record has no \(collection.idField) (the collection's id field)"))
        }
        var fields = item
        if let mapping = collection.fieldsFromApi {
            do {
                fields = try Formula.evaluate(mapping, variables: item)
            } catch {
                return .failure(SwitchyardError(.badRequest, "record \(id): fieldsFromApi: \(error.message) (at \(error.path))"))
            }
        }
        if let schema {
            let problems = schema.validate(fields)
            if let first = problems.first {
                return .failure(SwitchyardError(.badRequest, "record \(id) does not match the fields schema: \(first.description)"))
            }
        }
        return .success(DataRecord(id: id, fields: fields, updated: updatedField.flatMap { members[$0] }))
    }

    /// What `create` and `update` send for a record's fields (`fieldsToApi` applied).
    /// - Throws: `bad_request` naming the problem when the fields fail the schema or the mapping.
    package func apiFields(_ fields: JSONValue) throws(SwitchyardError) -> JSONValue {
        guard case .object = fields else { throw SwitchyardError(.badRequest, "fields must be an object", data: ["fields": "must be an object"]) }
        if let schema { try schema.check(fields, what: "fields") }
        guard let mapping = collection.fieldsToApi else { return fields }
        do {
            return try Formula.evaluate(mapping, variables: fields)
        } catch {
            throw SwitchyardError(.badRequest, "data collection \(collection.key): fieldsToApi: \(error.message) (at \(error.path))")
        }
    }

    /// A number as an id or cursor: integers without a fraction.
    static func text(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
