import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// One connection's data collection, loaded once for a request or a pull: its methods
/// called as the connection, their results read into ``DataRecord``s.
package struct DataCollectionSession: Sendable {
    /// The collection.
    package let collection: ConnectorDataCollection
    /// Reads the methods' results.
    package let reader: DataRecordReader
    let loaded: LoadedConnection
    let operations: ConnectionOperations

    /// The connection.
    package var connection: Record { loaded.connection }

    /// Whether the collection implements a method.
    package func supports(_ method: ConnectorDataMethod) -> Bool { collection.methods[method] != nil }

    /// One page of records.
    /// - Parameters:
    ///   - cursor: The page's cursor (`nil` for the first).
    ///   - since: For incremental pulls, the newest updated value already seen.
    ///   - parameters: The data source's collection parameters.
    ///   - limit: A page size the caller asks for, passed on as `input.limit`.
    package func list(cursor: String?, since: JSONValue? = nil, parameters: JSONValue = [:],
        limit: Int? = nil) async throws(SwitchyardError) -> DataPage {
        var input: [String: JSONValue] = ["parameters": parameters]
        if let cursor { input["cursor"] = .string(cursor) }
        if let since { input["since"] = since }
        if let limit { input["limit"] = .number(Double(limit)) }
        return try reader.page(try await call(.list, input: .object(input)))
    }

    /// One record by id.
    /// - Throws: `not_found` when the method returns nothing; `bad_request` for a record it cannot read.
    package func find(id: String, parameters: JSONValue = [:]) async throws(SwitchyardError) -> DataRecord {
        let output = try await call(.findById, input: ["id": .string(id), "parameters": parameters])
        let item = output["record"] ?? output
        guard item != .null else { throw SwitchyardError(.notFound, "data collection \(collection.key) has no record \(id)") }
        return try reader.record(item).get()
    }

    /// Creates a record from fields (`fieldsToApi` applied).
    /// - Returns: The new record's id, and the record when the method returns one.
    package func create(fields: JSONValue, parameters: JSONValue = [:]) async throws(SwitchyardError) -> JSONValue {
        let output = try await call(.create, input: ["fields": try reader.apiFields(fields), "parameters": parameters])
        return written(output, id: nil)
    }

    /// Changes a record's fields (`fieldsToApi` applied).
    package func update(id: String, fields: JSONValue, parameters: JSONValue = [:]) async throws(SwitchyardError) -> JSONValue {
        let output = try await call(.update, input: ["id": .string(id), "fields": try reader.apiFields(fields), "parameters": parameters])
        return written(output, id: id)
    }

    /// Deletes a record.
    package func delete(id: String, parameters: JSONValue = [:]) async throws(SwitchyardError) {
        _ = try await call(.delete, input: ["id": .string(id), "parameters": parameters])
    }

    /// Runs one of the collection's event functions (`events.pull`, the webhook's) as the connection.
    package func run(_ function: ConnectorFunction, name: String, input: JSONValue) async throws(SwitchyardError) -> JSONValue {
        try await operations.run(function, name: "\(collection.key).\(name)", input: input, loaded)
    }

    /// `{id, fields?}` from what a write returned: `{id}`, `{record}` or the record.
    private func written(_ output: JSONValue, id: String?) -> JSONValue {
        let item = output["record"] ?? output
        if case .success(let record) = reader.record(item) { return record.json }
        if let given = item[collection.idField] ?? output["id"], given != .null {
            return ["id": .string(given.stringValue ?? DataRecordReader.text(given.numberValue ?? 0))]
        }
        return id.map { ["id": .string($0)] } ?? [:]
    }

    private func call(_ method: ConnectorDataMethod, input: JSONValue) async throws(SwitchyardError) -> JSONValue {
        guard let function = collection.methods[method] else {
            throw SwitchyardError(
                .notSupported,
                "data collection \(collection.key) has no \(method.rawValue) method; it has "
                    + collection.methods.keys.sorted().map(\.rawValue).joined(separator: ", ")
            )
        }
        return try await operations.run(function, name: "\(collection.key).\(method.rawValue)", input: input, loaded)
    }
}

extension ConnectionOperations {
    /// A connection's data collection, ready to call.
    /// - Throws: `not_found` naming the collections the connector has when it has not this one.
    package func dataCollection(connectionID: String, key: String, scope: StoreScope) async throws(SwitchyardError) -> DataCollectionSession {
        let loaded = try await resolver.load(connectionID, scope: scope)
        guard let collection = loaded.package.dataCollections.first(where: { $0.key == key }) else {
            let known = loaded.package.dataCollections.map(\.key).sorted()
            throw SwitchyardError(
                .notFound, "the connector has no data collection \(key)" + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))"),
                data: ["collectionKey": "no such collection"])
        }
        return DataCollectionSession(collection: collection, reader: DataRecordReader(collection), loaded: loaded, operations: self)
    }
}
