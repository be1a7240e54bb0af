import Crypto
import Foundation
import HTTPTypes
import SwitchyardBlobs
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore

/// Connector packages: upload (the development version), publish an immutable semver version,
/// list versions, download a version's archive.
///
/// Archives live in the connectors bucket under `<workspace>/<connector id>/<sha256>.zip`, the
/// normalized archive the package reader accepts back; the digest names the content, so a
/// published version's archive can never change. A connector record carries `development`
/// (the last upload) and `latestVersion`; each published version is a `connector_versions`
/// record keyed `<connector id>@<version>`, unique per workspace by index. Both carry the
/// package's `parametersSchema`, from which an integration's parameters form is built.
enum ConnectorPackageRoutes {
    static let zipTypes = ["application/zip", "multipart/form-data"]

    static let versionSchema = RecordJSON.schema([
        "version": ["type": "string"], "changelog": ["type": "string"], "sha256": ["type": "string"], "size": ["type": "integer"],
        "connectorId": ["type": "string"], "parametersSchema": ["type": "object"],
    ])

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let id = APIRoute.Parameter.path("id", "the connector's id or key")
        return [
            APIRoute(
                method: .post, path: "/connectors/{id}/upload", access: .admin, operationID: "uploadConnectorPackage",
                summary: "Upload a connector package (.zip) as the connector's development version", tag: "Connectors", parameters: [id],
                requestSchema: [
                    "application/zip": ["type": "string", "contentMediaType": "application/zip"],
                    "multipart/form-data": [
                        "type": "object", "required": ["file"],
                        "properties": ["file": ["type": "string", "contentMediaType": "application/zip"]],
                    ],
                ],
                requestContentTypes: zipTypes, responseSchema: ConnectorRoutes.schema, responseContentType: "application/json", successStatus: 200
            ) { request throws(SwitchyardError) in
                .json(try await upload(request, deps))
            },
            APIRoute(
                method: .post, path: "/connectors/{id}/publish-version", access: .admin, operationID: "publishConnectorVersion",
                summary: "Publish the development version as an immutable semver version", tag: "Connectors", parameters: [id],
                requestSchema: [
                    "type": "object", "additionalProperties": false, "required": ["version"],
                    "properties": [
                        "version": ["type": "string", "minLength": 5, "maxLength": 64, "pattern": .string(SemanticVersion.pattern)],
                        "changelog": ["type": "string", "minLength": 1, "maxLength": 10000],
                    ],
                ],
                responseSchema: versionSchema, successStatus: 201
            ) { request throws(SwitchyardError) in
                try await publish(request, deps)
            },
            APIRoute(
                method: .get, path: "/connectors/{id}/versions", access: .admin, operationID: "listConnectorVersions",
                summary: "List a connector's published versions, oldest first", tag: "Connectors",
                parameters: [id] + APIRoute.Parameter.listParameters,
                requestSchema: nil, responseSchema: RecordJSON.listSchema(versionSchema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let connector = try await ElementSelector.resolve(.connectors, request.path("id"), scope: request.caller.scope, records: deps.records)
                let query = try ListQuery(request.query)
                let page = try await deps.records.list(
                    .connectorVersions, scope: request.caller.scope,
                    filter: RecordFilter(parentID: connector.id, includeArchived: query.includeArchived),
                    limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page) { versionJSON($0) }
            },
            APIRoute(
                method: .get, path: "/connectors/{id}/download", access: .admin, operationID: "downloadConnectorPackage",
                summary: "Download a version's package (.zip); without version, the development version", tag: "Connectors",
                parameters: [
                    id,
                    .query(
                        "version", ["type": "string", "minLength": 1, "maxLength": 64, "pattern": .string(SemanticVersion.pinPattern)],
                        "a published version, or development (the default)"),
                ],
                requestSchema: nil, requestContentTypes: ["application/json"],
                responseSchema: ["type": "string", "contentMediaType": "application/zip"],
                responseContentType: "application/zip", successStatus: 200
            ) { request throws(SwitchyardError) in
                try await download(request, deps)
            },
        ]
    }

    static func upload(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let scope = request.caller.scope
        let connector = try await ElementSelector.resolve(.connectors, request.path("id"), scope: scope, records: deps.records)
        let bytes = try UploadBody.file(request, field: "file")
        let package = try ConnectorUpload.read(bytes)
        guard package.spec.key == connector.key else {
            throw SwitchyardError(
                .badRequest, "spec.yml: key: the package's key is \(package.spec.key), but this connector's key is \(connector.key ?? connector.id)",
                data: ["key": "must be \(connector.key ?? connector.id)"]
            )
        }
        let archive = package.archive
        let digest = SHA256.hash(data: archive).map { String(format: "%02x", $0) }.joined()
        _ = try await deps.blobs.put(
            .connectors, key: ConnectorLoader.blobKey(workspace: scope.workspaceID, connectorID: connector.id, sha256: digest), data: archive)
        var development: [String: JSONValue] = [
            "sha256": .string(digest), "size": .number(Double(archive.count)),
            "uploadedAt": .string(ISO8601Time.string(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))),
            "authType": .string(package.auth.typeName),
            "operations": .array(package.operations.map { .string($0.key) }),
            "dataCollections": .array(package.dataCollections.map { .string($0.key) }),
        ]
        // What an integration's parameters form is built from (the console reads it here).
        if let schema = package.spec.parametersSchema { development["parametersSchema"] = schema }
        let developmentVersion = JSONValue.object(development)
        let updated = try await deps.records.update(.connectors, id: connector.id, scope: scope, expectedRevision: nil) { record in
            var document = record.connectorDocument
            document.name = package.spec.name
            document.authType = package.auth.typeName
            if let logo = package.spec.logoUri { document.logoURI = logo }
            document.development = developmentVersion
            record.connectorDocument = document
        }
        deps.configuration?.forgetConfiguration()
        return RecordJSON.object(updated)
    }

    static func publish(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(request.body, allowed: ["version", "changelog"])
        let text = reader.string("version", required: true, maxLength: 64)
        let changelog = reader.string("changelog", maxLength: 10000)
        let version = text.flatMap(SemanticVersion.init)
        if text != nil, version == nil { reader.reject("version", "must be a semantic version such as 1.2.0 or 2.0.0-beta.1") }
        try reader.finish()
        guard let version else { throw SwitchyardError(.badRequest, "version is required") }
        let scope = request.caller.scope
        let connector = try await ElementSelector.resolve(.connectors, request.path("id"), scope: scope, records: deps.records)
        let current = connector.connectorDocument
        guard let sha = current.developmentDigest, let size = current.development?["size"] else {
            throw SwitchyardError(
                .conflict, "connector \(connector.key ?? connector.id) has no development version to publish; upload a package first")
        }
        if let latest = current.latestVersion.flatMap(SemanticVersion.init), !(latest < version) {
            throw SwitchyardError(
                .conflict, "version \(version) must be greater than the latest published version \(latest)",
                data: ["version": "must be greater than \(latest)"]
            )
        }
        var document: [String: JSONValue] = [
            "version": .string(version.description), "sha256": .string(sha), "size": size, "connectorId": .string(connector.id),
        ]
        if let changelog { document["changelog"] = .string(changelog) }
        if let schema = current.development?["parametersSchema"] { document["parametersSchema"] = schema }
        let results: [Record?]
        do {
            results = try await deps.records.apply([
                .insert(
                    NewRecord(kind: .connectorVersions, key: "\(connector.id)@\(version)", parentID: connector.id, document: .object(document)),
                    scope: scope),
                // Conditional on the connector as read: a concurrent publish or upload makes this one retry.
                .update(.connectors, id: connector.id, scope: scope, expectedRevision: connector.revision) { record throws(SwitchyardError) in
                    record.connectorDocument.latestVersion = version.description
                },
            ])
        } catch where error.key == .alreadyExists {
            throw SwitchyardError(
                .alreadyExists, "version \(version) of connector \(connector.key ?? connector.id) is already published",
                data: ["version": "already published"])
        } catch where error.key == .conflict {
            throw SwitchyardError(.conflict, "connector \(connector.key ?? connector.id) changed while publishing; try again")
        }
        guard let inserted = results.first ?? nil else { throw SwitchyardError(.internal, "publishing stored no version record") }
        deps.configuration?.forgetConfiguration()
        return versionJSON(inserted)
    }

    static func download(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> APIResult {
        let scope = request.caller.scope
        let connector = try await ElementSelector.resolve(.connectors, request.path("id"), scope: scope, records: deps.records)
        let name = connector.key ?? connector.id
        let wanted = request.query["version"] ?? "development"
        if wanted != "development", SemanticVersion(wanted) == nil {
            throw SwitchyardError(
                .badRequest, "version must be development or a semantic version such as 1.2.0", data: ["version": "is not a version"])
        }
        let sha = try await ConnectorLoader.digest(
            of: connector, version: SemanticVersion(wanted)?.description ?? wanted, records: deps.records, scope: scope)
        let data = try await deps.blobs.data(
            .connectors, key: ConnectorLoader.blobKey(workspace: scope.workspaceID, connectorID: connector.id, sha256: sha))
        return .file(Array(data), contentType: "application/zip", filename: "\(name)-\(wanted).zip")
    }

    static func versionJSON(_ record: Record) -> JSONValue {
        RecordJSON.object(record)
    }
}
