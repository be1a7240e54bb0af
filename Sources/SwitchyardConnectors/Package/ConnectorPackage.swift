import Foundation
import SwitchyardCore

/// A validated connector package: its spec, auth, operations, data collections and raw files.
///
/// Made by ``ConnectorPackageReader``; every value in it has passed validation.
package struct ConnectorPackage: Sendable, Hashable {
    /// The top-level spec fields.
    package var spec: ConnectorSpec
    /// How connections authenticate.
    package var auth: ConnectorAuth
    /// The API operations, sorted by key.
    package var operations: [ConnectorOperation]
    /// The data collections, sorted by key.
    package var dataCollections: [ConnectorDataCollection]
    /// Every file of the package by relative path, byte for byte as read.
    package var files: [String: Data]

    /// Creates a package (``ConnectorPackageReader`` is the usual way to get one).
    package init(
        spec: ConnectorSpec, auth: ConnectorAuth, operations: [ConnectorOperation],
        dataCollections: [ConnectorDataCollection], files: [String: Data]
    ) {
        self.spec = spec
        self.auth = auth
        self.operations = operations
        self.dataCollections = dataCollections
        self.files = files
    }

    /// Every function of the package by locator: `auth.<function>`,
    /// `auth.options.<option>.<function>`, `operations.<key>.run`, `data.<key>.<method>`.
    package var functions: [String: ConnectorFunction] {
        var result: [String: ConnectorFunction] = [:]
        switch auth {
        case .single(let option):
            for (name, function) in option.functions { result["auth.\(name.rawValue)"] = function }
        case .options(let options):
            for (key, option) in options {
                for (name, function) in option.functions { result["auth.options.\(key).\(name.rawValue)"] = function }
            }
        }
        for operation in operations { result["operations.\(operation.key).run"] = operation.run }
        for collection in dataCollections {
            for (method, function) in collection.methods { result["data.\(collection.key).\(method.rawValue)"] = function }
        }
        return result
    }

    /// The operation with `key`, if any.
    package func operation(_ key: String) -> ConnectorOperation? {
        operations.first { $0.key == key }
    }

    /// The data collection with `key`, if any.
    package func dataCollection(_ key: String) -> ConnectorDataCollection? {
        dataCollections.first { $0.key == key }
    }

    /// The package as a deterministic ZIP archive (for download); ``ConnectorPackageReader`` reads it back.
    package var archive: Data { ConnectorArchive.pack(files) }

    /// The JSON form the API returns: spec fields, `auth`, `operations`, `dataCollections`,
    /// and `files` as `[{path, size}]` sorted by path.
    package var json: JSONValue {
        var object: [String: JSONValue] = [
            "key": .string(spec.key), "name": .string(spec.name), "auth": auth.json,
            "operations": .array(operations.map(\.json)),
            "dataCollections": .array(dataCollections.map(\.json)),
            "files": .array(
                files.keys.sorted().map { path in
                    ["path": .string(path), "size": .number(Double(files[path]?.count ?? 0))]
                }),
        ]
        if let value = spec.logoUri { object["logoUri"] = .string(value) }
        if let value = spec.description { object["description"] = .string(value) }
        if let value = spec.apiDocsUri { object["apiDocsUri"] = .string(value) }
        if let value = spec.parametersSchema { object["parametersSchema"] = value }
        return .object(object)
    }
}
