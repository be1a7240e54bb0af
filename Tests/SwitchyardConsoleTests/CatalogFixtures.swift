import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SwitchyardConnectors
import Testing

/// Connector packages and uploads for the connector and integration page tests.
enum CatalogFixtures {
    static let key = "catalog-test"

    /// A valid package: a client-credentials connector with a parameters schema that has a
    /// required string, a secret, an integer, an enum and a boolean.
    static func package(name: String = "Catalog <Test>", key: String = key) -> [String: Data] {
        let spec = """
            name: \(name)
            key: \(key)
            parametersSchema:
              type: object
              required: [clientId]
              properties:
                clientId:
                  type: string
                  title: Client id
                  description: The OAuth client id <from the provider>.
                clientSecret:
                  type: string
                  format: password
                pageSize:
                  type: integer
                  minimum: 1
                region:
                  enum: [eu, us]
                verbose:
                  type: boolean
            auth:
              type: client-credentials
              makeApiClient:
                type: mapping
                mapping:
                  baseUri: https://api.example.com
            """
        let operation = """
            name: List things
            run:
              type: rest-api-mapping
              path: /things
              method: GET
            """
        return ["spec.yml": Data(spec.utf8), "operations/list-things/spec.yml": Data(operation.utf8)]
    }

    /// The package with two mistakes: an unknown field on line 3 of spec.yml, and a bad method on
    /// line 5 of the operation's spec.
    static func brokenPackage() -> [String: Data] {
        var files = package()
        let spec = String(decoding: files["spec.yml"] ?? Data(), as: UTF8.self)
        files["spec.yml"] = Data(spec.replacingOccurrences(of: "parametersSchema:", with: "colour: red\nparametersSchema:").utf8)
        let operation = String(decoding: files["operations/list-things/spec.yml"] ?? Data(), as: UTF8.self)
        files["operations/list-things/spec.yml"] = Data(operation.replacingOccurrences(of: "method: GET", with: "method: FETCH").utf8)
        return files
    }

    static func zip(_ files: [String: Data]) -> [UInt8] { Array(ConnectorArchive.pack(files)) }

    /// The body of the upload form with one file, as a browser sends it.
    static func multipart(_ file: [UInt8], filename: String = "package.zip", boundary: String) -> [UInt8] {
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n".utf8)
        body += Array("Content-Type: application/zip\r\n\r\n".utf8) + file + Array("\r\n--\(boundary)--\r\n".utf8)
        return body
    }
}

/// A raw answer (a download).
struct RawPage: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var bytes: [UInt8]
}

extension Browser {
    /// Posts the upload form (`multipart/form-data`) to `uri` with one file.
    mutating func upload(_ uri: String, file: [UInt8], filename: String = "package.zip") async throws -> Page {
        let boundary = "----ConsoleTestBoundary\(UUID().uuidString.prefix(8))"
        var headers = HTTPFields()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        let raw = try await raw(.post, uri, headers: headers, body: CatalogFixtures.multipart(file, filename: filename, boundary: boundary))
        return Page(status: raw.status, headers: raw.headers, body: String(decoding: raw.bytes, as: UTF8.self))
    }

    /// Sends a request with the session cookie and returns the answer's bytes.
    mutating func raw(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = HTTPFields(), body: [UInt8]? = nil) async throws -> RawPage {
        var headers = headers
        let jar = (cookie.map { ["switchyard_console=\($0)"] } ?? []) + others.map { "\($0.key)=\($0.value)" }
        if !jar.isEmpty { headers[.cookie] = jar.joined(separator: "; ") }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        for set in response.headers[values: .setCookie] {
            setCookies.append(set)
            guard let pair = set.split(separator: ";").first?.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false),
                pair.count == 2
            else { continue }
            let (name, value) = (String(pair[0]), String(pair[1]))
            let removed = value.isEmpty || set.contains("Max-Age=0")
            if name == "switchyard_console" { cookie = removed ? nil : value } else { others[name] = removed ? nil : value }
        }
        return RawPage(status: response.status, headers: response.headers, bytes: Array(response.body.readableBytesView))
    }
}

/// Page text helpers.
enum PageText {
    /// The `value` of the input with `id`, or `nil`.
    static func inputValue(_ body: String, id: String) -> String? {
        guard let start = body.range(of: "id=\"\(id)\"") else { return nil }
        let tag = body[start.lowerBound...].prefix { $0 != ">" }
        guard let value = tag.range(of: "value=\"") else { return nil }
        return String(tag[value.upperBound...].prefix { $0 != "\"" })
    }

    /// The text of the element with `id` (up to its first `<`).
    static func text(_ body: String, id: String) -> String? {
        guard let start = body.range(of: "id=\"\(id)\"") else { return nil }
        let rest = body[start.upperBound...].drop { $0 != ">" }.dropFirst()
        return String(rest.prefix { $0 != "<" })
    }
}
