import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardConnectors

@Suite("Package validation")
struct ValidationTests {
    @Test("a minimal package validates")
    func minimal() throws {
        let package = try ConnectorPackageReader.read(files: Fixture.files)
        #expect(package.spec.name == "Minimal")
        guard case .single(let option) = package.auth else {
            Issue.record("expected one auth option")
            return
        }
        #expect(option.type == ConnectorAuthType.none)
        #expect(package.functions["auth.makeApiClient"]?.type == .mapping)
    }

    @Test("a YAML syntax error is reported with its line")
    func yamlSyntax() {
        let found = problems(Fixture.files(["spec.yml": "name: x\nkey: y\nauth: [unclosed\n  type: none\n"]))
        #expect(found == ["spec.yml:4: invalid YAML: did not find expected ',' or ']'"])
        let tab = problems(Fixture.files(["spec.yml": "name: x\nkey: y\n\tauth: 1\n"]))
        #expect(tab.first?.hasPrefix("spec.yml:3: invalid YAML:") == true)
    }

    @Test("duplicate YAML keys are reported")
    func duplicateKeys() {
        let found = problems(Fixture.files(["spec.yml": Fixture.spec + "\nname: again\n"]))
        #expect(found.first?.contains("invalid YAML: duplicate key name") == true)
    }

    @Test("missing required fields are reported at the mapping's line")
    func missingFields() {
        #expect(
            problems(Fixture.files(["spec.yml": "logoUri: https://x.example/logo.png\n"])) == [
                "spec.yml:1: name: is required", "spec.yml:1: key: is required", "spec.yml:1: auth: is required",
            ])
        #expect(problems(["README.md": Data()]) == ["spec.yml: missing: the package root must hold spec.yml"])
    }

    @Test("wrong types are reported with the field path and line")
    func wrongTypes() {
        let spec = """
            name: 5
            key: ok
            parametersSchema: [a]
            auth:
              type: none
              title: [x]
              makeApiClient: {type: mapping, mapping: {}}
            """
        #expect(
            problems(Fixture.files(["spec.yml": spec])) == [
                "spec.yml:1: name: must be a string, not a number",
                "spec.yml:3: parametersSchema: must be a JSON Schema (a mapping), not a list",
                "spec.yml:6: auth.title: must be a string, not a list",
            ])
    }

    @Test("unknown top-level fields are reported")
    func unknownField() {
        let found = problems(Fixture.files(["spec.yml": Fixture.spec + "\nversion: 2\n"]))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("spec.yml:9: version: unknown field (allowed: name, key,") == true)
    }

    @Test("an unknown auth type lists the allowed ones")
    func unknownAuthType() {
        let spec = Fixture.spec.replacingOccurrences(of: "type: none", with: "type: basic")
        #expect(
            problems(Fixture.files(["spec.yml": spec])) == [
                "spec.yml:4: auth.type: must be one of client-credentials, oauth2, oauth1, switchyard-token, none"
            ])
    }

    @Test("a bad function type is reported")
    func badFunctionType() {
        let spec = Fixture.spec.replacingOccurrences(of: "type: mapping", with: "type: graphql")
        #expect(
            problems(Fixture.files(["spec.yml": spec])) == [
                "spec.yml:6: auth.makeApiClient.type: must be one of mapping, rest-api-mapping, javascript"
            ])
    }

    @Test("a bad HTTP method in an operation names file, line and field")
    func badMethod() {
        let operation = """
            name: Create task
            inputSchema:
              type: object
            run:
              type: rest-api-mapping
              path: /tasks
              method: FETCH
            """
        let files = Fixture.files(["spec.yml": Fixture.spec, "operations/create-task/spec.yml": operation])
        #expect(
            problems(files) == [
                "operations/create-task/spec.yml:7: run.method: must be one of GET, POST, PUT, PATCH, DELETE"
            ])
    }

    @Test("bad operation keys and folders without spec.yml are reported")
    func badOperationKeys() {
        let run = "name: X\nrun: {type: mapping, mapping: 1}\n"
        let files = Fixture.files([
            "spec.yml": Fixture.spec, "operations/Bad Key!/spec.yml": run, "operations/-dash/spec.yml": run,
            "operations/lonely/run.js": "module.exports = async function () {}",
        ])
        #expect(
            problems(files) == [
                "operations/-dash/spec.yml: operation key \"-dash\" must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
                "operations/Bad Key!/spec.yml: operation key \"Bad Key!\" must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
                "operations/lonely/run.js: unexpected file (see docs/connectors.md for the package layout)",
                "operations/lonely/spec.yml: missing: every folder under operations/ needs a spec.yml",
            ])
    }

    @Test("a data collection with no methods is reported")
    func noMethods() {
        let files = Fixture.files([
            "spec.yml": Fixture.spec, "data/tasks/spec.yml": "name: Tasks\nfieldsSchema:\n  type: object\n",
        ])
        let found = problems(files)
        #expect(found.count == 1)
        #expect(
            found.first?.hasPrefix(
                "data/tasks/spec.yml:1: methods: must declare at least one of list, findById, create, update, delete, match, search"
            ) == true)
    }

    @Test("a function declared both inline and as a file, or by two files, is reported")
    func declaredTwice() {
        let both = Fixture.files(["spec.yml": Fixture.spec, "makeApiClient.map.yml": "baseUri: x"])
        #expect(problems(both) == ["spec.yml:5: auth.makeApiClient: declared both here and in makeApiClient.map.yml; keep one"])
        let operation = "name: X\n"
        let two = Fixture.files([
            "spec.yml": Fixture.spec, "operations/x/spec.yml": operation,
            "operations/x/run.api.yml": "path: /x\nmethod: GET\n",
            "operations/x/run.js": "module.exports = async function () {}",
        ])
        #expect(
            problems(two) == [
                "operations/x/run.api.yml: run: declared by several files (operations/x/run.api.yml, operations/x/run.js); keep one"
            ])
    }

    @Test("JavaScript must be non-empty and export a function")
    func javaScriptChecks() {
        let files = Fixture.files([
            "spec.yml": Fixture.spec, "test.js": "   \n", "operations/a/spec.yml": "name: A\n",
            "operations/a/run.js": "const x = 1\n",
        ])
        #expect(
            problems(files) == [
                """
                operations/a/run.js: JavaScript source must export a function (module.exports = async function (...) { ... } or export default async \
                function ...)
                """,
                "test.js: JavaScript source must not be empty",
            ])
    }

    @Test("OAuth 2.0 needs its endpoints unless getOAuthConfig is declared; oauth-only functions are refused elsewhere")
    func oauthRules() {
        let oauth = """
            name: O
            key: o
            auth:
              type: oauth2
              scopes: read
              clientAuthLocation: query
              makeApiClient: {type: mapping, mapping: {}}
            """
        #expect(
            problems(Fixture.files(["spec.yml": oauth])) == [
                "spec.yml:4: auth.authorizeUri: is required unless getOAuthConfig is declared",
                "spec.yml:4: auth.tokenUri: is required unless getOAuthConfig is declared",
                "spec.yml:5: auth.scopes: must be a list of strings, not a string",
                "spec.yml:6: auth.clientAuthLocation: must be one of header, body",
            ])
        let withConfig = Fixture.files([
            "spec.yml": oauth.replacingOccurrences(of: "  scopes: read\n  clientAuthLocation: query\n", with: ""),
            "getOAuthConfig.js": "module.exports = async function ({ connectorParameters }) { return {} }",
        ])
        #expect(problems(withConfig) == [])
        let misplaced = Fixture.files(["spec.yml": Fixture.spec, "getOAuthConfig.map.yml": "tokenUri: x"])
        #expect(
            problems(misplaced) == [
                "getOAuthConfig: auth.getOAuthConfig: only allowed for auth type oauth2, oauth1, not none"
            ])
    }

    @Test("auth options each have a key, a type and their own functions")
    func authOptions() throws {
        let spec = """
            name: Multi
            key: multi
            auth:
              options:
                apiKey:
                  type: client-credentials
                  makeApiClient: {type: mapping, mapping: {}}
                bad key:
                  type: none
                  makeApiClient: {type: mapping, mapping: {}}
                oauth:
                  type: oauth1
                  signatureMethod: RSA-SHA1
            """
        #expect(
            problems(Fixture.files(["spec.yml": spec])) == [
                "spec.yml:8: auth.options.bad key: auth option key \"bad key\" must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
                """
                spec.yml:12: auth.options.oauth.makeApiClient: is required (inline, or as one of the files auth/oauth/makeApiClient.map.yml, \
                auth/oauth/makeApiClient.api.yml, auth/oauth/makeApiClient.js)
                """,
                "spec.yml:12: auth.options.oauth.requestTokenUri: is required unless getOAuthConfig is declared",
                "spec.yml:12: auth.options.oauth.authorizeUri: is required unless getOAuthConfig is declared",
                "spec.yml:12: auth.options.oauth.accessTokenUri: is required unless getOAuthConfig is declared",
                "spec.yml:13: auth.options.oauth.signatureMethod: must be HMAC-SHA1 (the only signature method supported)",
            ])
        let fixed = spec.replacingOccurrences(of: "    bad key:\n      type: none\n      makeApiClient: {type: mapping, mapping: {}}\n", with: "")
            .replacingOccurrences(of: "      signatureMethod: RSA-SHA1", with: "      getOAuthConfig: {type: mapping, mapping: {}}")
        let package = try ConnectorPackageReader.read(
            files: Fixture.files(["spec.yml": fixed, "auth/oauth/makeApiClient.map.yml": "baseUri: https://x.example"]))
        #expect(package.functions["auth.options.oauth.makeApiClient"]?.file == "auth/oauth/makeApiClient.map.yml")
    }

    @Test("allowedHosts is a list of host names, host:port or *.domain entries; anything else is reported by index")
    func allowedHosts() throws {
        func spec(_ hosts: String) -> String {
            "name: Hosts\nkey: hosts\nauth:\n  type: client-credentials\n  allowedHosts: \(hosts)\n  makeApiClient: {type: mapping, mapping: {}}\n"
        }
        let package = try ConnectorPackageReader.read(
            files: Fixture.files(["spec.yml": spec("[Uploads.Example.com, \"api.example.com:8443\", \"*.example.org\", \"[::1]:8080\"]")]))
        guard case .single(let option) = package.auth else {
            Issue.record("expected one auth option")
            return
        }
        #expect(option.allowedHosts.map(\.description) == ["uploads.example.com", "api.example.com:8443", "*.example.org", "[::1]:8080"])
        #expect(option.json["allowedHosts"] == ["uploads.example.com", "api.example.com:8443", "*.example.org", "[::1]:8080"])
        #expect(
            problems(Fixture.files(["spec.yml": spec("[\"https://api.example.com/v1\", \"api.example.com:99999\", \"*.com\", \"a b\", 5]")])) == [
                """
                spec.yml:5: auth.allowedHosts[0]: must be a host name, optionally with :port, with no scheme or path (api.example.com, not \
                https://api.example.com/v1)
                """,
                "spec.yml:5: auth.allowedHosts[1]: api.example.com:99999: the port must be a number from 1 to 65535",
                "spec.yml:5: auth.allowedHosts[2]: *.com: a wildcard needs a domain with a dot after *. (*.example.com)",
                """
                spec.yml:5: auth.allowedHosts[3]: a b: a host name has letters, digits, '.', '-' and '_' only (write international names in their \
                xn-- form)
                """,
                "spec.yml:5: auth.allowedHosts[4]: must be a string, not a number",
            ])
        #expect(
            problems(Fixture.files(["spec.yml": spec("api.example.com")])) == [
                "spec.yml:5: auth.allowedHosts: must be a list of host names (api.example.com, api.example.com:8443, *.example.com), not a string"
            ])
        let pattern = try ConnectorHostPattern("*.example.org")
        #expect(pattern.matches(host: "eu.api.example.org", port: 443, defaultPort: 443))
        #expect(!pattern.matches(host: "example.org", port: 443, defaultPort: 443), "a wildcard is for subdomains only")
        #expect(!pattern.matches(host: "evilexample.org", port: 443, defaultPort: 443))
        #expect(!pattern.matches(host: "eu.example.org", port: 8443, defaultPort: 443), "no port means the scheme's default port")
        #expect(try ConnectorHostPattern("127.0.0.1:8080").matches(host: "127.0.0.1", port: 8080, defaultPort: 80))
    }

    @Test("several problems in several files are all reported at once, in order")
    func manyProblems() throws {
        let spec = """
            name: Broken
            key: not a key
            colour: blue
            auth:
              type: client-credentials
            """
        let files = Fixture.files([
            "spec.yml": spec,
            "operations/x/spec.yml": "name: X\nrun:\n  type: rest-api-mapping\n  path: tasks\n  method: get\n",
            "data/y/spec.yml": "fieldsSchema: 3\nmethods:\n  list: {type: javascript, code: 'module.exports = () => 1'}\n  find: {}\n",
            "notes.txt": "hello",
        ])
        let found = problems(files)
        #expect(
            found == [
                "spec.yml:2: key: connector key \"not a key\" must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
                "spec.yml:3: colour: unknown field (allowed: name, key, logoUri, description, apiDocsUri, parametersSchema, auth)",
                """
                spec.yml:5: auth.makeApiClient: is required (inline, or as one of the files makeApiClient.map.yml, makeApiClient.api.yml, \
                makeApiClient.js)
                """,
                "data/y/spec.yml:1: name: is required",
                "data/y/spec.yml:1: fieldsSchema: must be a JSON Schema (a mapping), not a number",
                "data/y/spec.yml:4: methods.find: unknown field (allowed: list, findById, create, update, delete, match, search)",
                "notes.txt: unexpected file (see docs/connectors.md for the package layout)",
                "operations/x/spec.yml:4: run.path: must start with / or be an http(s) URI",
                "operations/x/spec.yml:5: run.method: must be one of GET, POST, PUT, PATCH, DELETE",
            ])
        let error = try #require(throws: ConnectorValidationError.self) { try ConnectorPackageReader.read(files: files) }
        #expect(error.switchyardError.key == .badRequest)
        #expect(error.switchyardError.data["problemCount"] == "9")
        #expect(error.problems[1].column == 1)
    }

    @Test("a YAML alias bomb is stopped by the node budget")
    func aliasBomb() {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h"] {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        let found = problems(Fixture.files(["spec.yml": yaml]))
        #expect(found.count == 1)
        #expect(found.first?.contains("YAML document is too large once aliases are expanded") == true)
    }
}
