import Foundation
import SwitchyardCore

/// Checks every file of a package and builds the ``ConnectorPackage``, collecting every
/// problem instead of stopping at the first. Used once, by ``ConnectorPackageReader``.
final class PackageValidator {
    private let files: [String: Data]
    private let limits: ConnectorArchiveLimits
    private var problems: [ConnectorProblem] = []
    private var consumed: Set<String> = []

    /// The file name endings of a function declared as its own file, by implementation type.
    static let functionFileEndings: [(ending: String, type: ConnectorFunctionType)] = [
        (".map.yml", .mapping), (".api.yml", .restAPIMapping), (".js", .javascript),
    ]

    init(files: [String: Data], limits: ConnectorArchiveLimits) {
        self.files = files
        self.limits = limits
    }

    /// The problems, `spec.yml` first, then by file, line and column (ties in discovery order).
    var sortedProblems: [ConnectorProblem] {
        problems.enumerated().sorted { left, right in
            let a = left.element
            let b = right.element
            let keyA = (a.file == "spec.yml" ? 0 : 1, a.file, a.line ?? 0, a.column ?? 0, left.offset)
            let keyB = (b.file == "spec.yml" ? 0 : 1, b.file, b.line ?? 0, b.column ?? 0, right.offset)
            return keyA < keyB
        }.map(\.element)
    }

    func validate() -> ConnectorPackage? {
        let (spec, auth) = validateSpec()
        let operations = validateOperations()
        let collections = validateDataCollections()
        reportUnexpectedFiles()
        guard problems.isEmpty, let spec, let auth else { return nil }
        return ConnectorPackage(
            spec: spec, auth: auth, operations: operations, dataCollections: collections, files: files)
    }

    // MARK: - Reporting and field helpers

    private func report(_ file: String, line: Int? = nil, column: Int? = nil, _ path: String, _ message: String) {
        problems.append(ConnectorProblem(file: file, line: line, column: column, path: path, message: message))
    }

    private func report(_ file: String, at node: SourceNode, _ path: String, _ message: String) {
        report(file, line: node.line, column: node.column, path, message)
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Reads a YAML file (marking it consumed); reports encoding and syntax errors with their line.
    private func yaml(_ file: String) -> SourceNode? {
        consumed.insert(file)
        guard let data = files[file] else { return nil }
        let text: String
        switch YAMLSource.text(of: data) {
        case .success(let decoded): text = decoded
        case .failure(let failure):
            report(file, line: failure.line, column: failure.column, "", failure.message)
            return nil
        }
        switch YAMLSource.parse(text, maxNodes: limits.maxYAMLNodesPerFile) {
        case .success(let node): return node
        case .failure(let failure):
            report(file, line: failure.line, column: failure.column, "", failure.message)
            return nil
        }
    }

    private func mapping(_ node: SourceNode, _ file: String, _ path: String) -> [SourceNode.Member]? {
        guard let members = node.members else {
            report(file, at: node, path, "must be a mapping, not \(node.typeName)")
            return nil
        }
        return members
    }

    private func unknownFields(_ members: [SourceNode.Member], allowed: [String], _ file: String, _ path: String) {
        for member in members where !allowed.contains(member.key) {
            report(
                file, line: member.keyLine, column: member.keyColumn, join(path, member.key),
                "unknown field (allowed: \(allowed.joined(separator: ", ")))")
        }
    }

    private func required(
        _ members: [SourceNode.Member], _ key: String, parent: SourceNode, _ file: String, _ path: String
    ) -> SourceNode? {
        guard let member = members.first(where: { $0.key == key }) else {
            report(file, at: parent, join(path, key), "is required")
            return nil
        }
        return member.value
    }

    private func string(_ node: SourceNode, _ file: String, _ path: String) -> String? {
        guard let value = node.string else {
            report(file, at: node, path, "must be a string, not \(node.typeName)")
            return nil
        }
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            report(file, at: node, path, "must not be empty")
            return nil
        }
        return value
    }

    private func optionalString(_ members: [SourceNode.Member], _ key: String, _ file: String, _ path: String) -> String? {
        members.first { $0.key == key }.flatMap { string($0.value, file, join(path, key)) }
    }

    private func optionalBool(_ members: [SourceNode.Member], _ key: String, _ file: String, _ path: String) -> Bool? {
        guard let node = members.first(where: { $0.key == key })?.value else { return nil }
        guard let value = node.bool else {
            report(file, at: node, join(path, key), "must be true or false, not \(node.typeName)")
            return nil
        }
        return value
    }

    private func schema(_ members: [SourceNode.Member], _ key: String, _ file: String, _ path: String) -> JSONValue? {
        guard let node = members.first(where: { $0.key == key })?.value else { return nil }
        guard node.members != nil else {
            report(file, at: node, join(path, key), "must be a JSON Schema (a mapping), not \(node.typeName)")
            return nil
        }
        return node.json
    }

    private func choice<T: RawRepresentable & CaseIterable>(
        _ node: SourceNode, _ type: T.Type, _ file: String, _ path: String
    ) -> T? where T.RawValue == String {
        if let text = node.string, let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue).joined(separator: ", ")
        report(file, at: node, path, "must be one of \(names)")
        return nil
    }

    private func key(_ key: String, _ file: String, line: Int?, _ path: String, kind: String) -> Bool {
        guard ConnectorKey.isValid(key) else {
            report(file, line: line, path, "\(kind) \"\(key)\" must match \(ConnectorKey.pattern)")
            return false
        }
        return true
    }

    // MARK: - Functions

    /// Finds a function declared inline (`inline`) or as a file `<folder><name>.map.yml|.api.yml|.js`.
    /// - Returns: Whether it is declared at all, and the function when it is also valid.
    private func function(
        _ name: String, inline: SourceNode.Member?, folder: String, _ file: String, _ path: String
    ) -> (declared: Bool, function: ConnectorFunction?) {
        let candidates = Self.functionFileEndings.map { folder + name + $0.ending }.filter { files[$0] != nil }
        consumed.formUnion(candidates)
        if candidates.count > 1 {
            report(candidates[0], path, "declared by several files (\(candidates.joined(separator: ", "))); keep one")
            return (true, nil)
        }
        if let inline, let other = candidates.first {
            report(
                file, line: inline.keyLine, column: inline.keyColumn, path,
                "declared both here and in \(other); keep one")
            return (true, nil)
        }
        if let inline { return (true, inlineFunction(inline.value, file, path)) }
        if let other = candidates.first { return (true, fileFunction(other)) }
        return (false, nil)
    }

    private func functionFilesHint(_ folder: String, _ name: String) -> String {
        Self.functionFileEndings.map { folder + name + $0.ending }.joined(separator: ", ")
    }

    private func inlineFunction(_ node: SourceNode, _ file: String, _ path: String) -> ConnectorFunction? {
        guard let members = mapping(node, file, path),
            let typeNode = required(members, "type", parent: node, file, path),
            let type = choice(typeNode, ConnectorFunctionType.self, file, join(path, "type"))
        else { return nil }
        switch type {
        case .mapping:
            unknownFields(members, allowed: ["type", "mapping"], file, path)
            guard let value = required(members, "mapping", parent: node, file, path) else { return nil }
            return ConnectorFunction(.mapping(value.json), file: file)
        case .restAPIMapping:
            unknownFields(members, allowed: ["type", "path", "method", "requestMapping", "responseMapping"], file, path)
            return restAPIMapping(members, parent: node, file, path).map { ConnectorFunction(.restAPIMapping($0), file: file) }
        case .javascript:
            unknownFields(members, allowed: ["type", "code"], file, path)
            guard let codeNode = required(members, "code", parent: node, file, path) else { return nil }
            guard let code = codeNode.string else {
                report(file, at: codeNode, join(path, "code"), "must be a string, not \(codeNode.typeName)")
                return nil
            }
            guard javaScript(code, file, line: codeNode.line, join(path, "code")) else { return nil }
            return ConnectorFunction(.javascript(code: code), file: file)
        }
    }

    private func fileFunction(_ file: String) -> ConnectorFunction? {
        if file.hasSuffix(".js") {
            consumed.insert(file)
            switch YAMLSource.text(of: files[file] ?? Data()) {
            case .failure(let failure):
                report(file, line: failure.line, "", failure.message)
                return nil
            case .success(let code):
                guard javaScript(code, file, line: nil, "") else { return nil }
                return ConnectorFunction(.javascript(code: code), file: file)
            }
        }
        guard let node = yaml(file) else { return nil }
        if file.hasSuffix(".map.yml") { return ConnectorFunction(.mapping(node.json), file: file) }
        guard let members = mapping(node, file, "") else { return nil }
        unknownFields(members, allowed: ["type", "path", "method", "requestMapping", "responseMapping"], file, "")
        if let typeNode = members.first(where: { $0.key == "type" })?.value,
            typeNode.string != ConnectorFunctionType.restAPIMapping.rawValue
        {
            report(file, at: typeNode, "type", "must be rest-api-mapping in a .api.yml file")
        }
        return restAPIMapping(members, parent: node, file, "").map { ConnectorFunction(.restAPIMapping($0), file: file) }
    }

    private func restAPIMapping(
        _ members: [SourceNode.Member], parent: SourceNode, _ file: String, _ path: String
    ) -> ConnectorRestAPIMapping? {
        var requestPath: String?
        if let node = required(members, "path", parent: parent, file, path),
            let value = string(node, file, join(path, "path"))
        {
            if value.hasPrefix("/") || value.hasPrefix("https://") || value.hasPrefix("http://") {
                requestPath = value
            } else {
                report(file, at: node, join(path, "path"), "must start with / or be an http(s) URI")
            }
        }
        let method = required(members, "method", parent: parent, file, path).flatMap {
            choice($0, ConnectorHTTPMethod.self, file, join(path, "method"))
        }
        var requestMapping: JSONValue?
        if let node = members.first(where: { $0.key == "requestMapping" })?.value {
            if let requestMembers = mapping(node, file, join(path, "requestMapping")) {
                unknownFields(
                    requestMembers, allowed: ["query", "headers", "data", "pathParameters"], file,
                    join(path, "requestMapping"))
                requestMapping = node.json
            }
        }
        let responseMapping = members.first { $0.key == "responseMapping" }?.value.json
        guard let requestPath, let method else { return nil }
        return ConnectorRestAPIMapping(
            path: requestPath, method: method, requestMapping: requestMapping, responseMapping: responseMapping)
    }

    /// The cheap textual check on JavaScript source: not blank, and it exports a function
    /// (`module.exports =`, `exports.default =` or `export default`, plus `function` or `=>`).
    private func javaScript(_ code: String, _ file: String, line: Int?, _ path: String) -> Bool {
        guard !code.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            report(file, line: line, path, "JavaScript source must not be empty")
            return false
        }
        let exports = ["module.exports", "exports.default", "export default"].contains { code.contains($0) }
        let function = code.contains("function") || code.contains("=>")
        guard exports, function else {
            report(
                file, line: line, path,
                "JavaScript source must export a function (module.exports = async function (...) { ... } or export default async function ...)"
            )
            return false
        }
        return true
    }

    // MARK: - spec.yml and auth

    private func validateSpec() -> (ConnectorSpec?, ConnectorAuth?) {
        let file = "spec.yml"
        guard files[file] != nil else {
            report(file, "", "missing: the package root must hold spec.yml")
            return (nil, nil)
        }
        guard let root = yaml(file), let members = mapping(root, file, "") else { return (nil, nil) }
        unknownFields(
            members, allowed: ["name", "key", "logoUri", "description", "apiDocsUri", "parametersSchema", "auth"], file, "")
        let name = required(members, "name", parent: root, file, "").flatMap { string($0, file, "name") }
        var key: String?
        if let node = required(members, "key", parent: root, file, ""), let value = string(node, file, "key"),
            self.key(value, file, line: node.line, "key", kind: "connector key")
        {
            key = value
        }
        let logoUri = optionalString(members, "logoUri", file, "")
        let description = optionalString(members, "description", file, "")
        let apiDocsUri = optionalString(members, "apiDocsUri", file, "")
        let parametersSchema = schema(members, "parametersSchema", file, "")
        let auth = required(members, "auth", parent: root, file, "").flatMap { validateAuth($0, file) }
        guard let name, let key else { return (nil, auth) }
        let spec = ConnectorSpec(
            key: key, name: name, logoUri: logoUri, description: description, apiDocsUri: apiDocsUri,
            parametersSchema: parametersSchema)
        return (spec, auth)
    }

    private func validateAuth(_ node: SourceNode, _ file: String) -> ConnectorAuth? {
        let path = "auth"
        guard let members = mapping(node, file, path) else { return nil }
        guard let optionsMember = members.first(where: { $0.key == "options" }) else {
            return authOption(node, file, path, folder: "").map(ConnectorAuth.single)
        }
        if let typeMember = members.first(where: { $0.key == "type" }) {
            report(
                file, line: typeMember.keyLine, column: typeMember.keyColumn, join(path, "type"),
                "not allowed together with options (each option has its own type)")
        }
        unknownFields(members, allowed: ["options", "type"], file, path)
        guard let optionMembers = mapping(optionsMember.value, file, join(path, "options")) else { return nil }
        if optionMembers.isEmpty { report(file, at: optionsMember.value, join(path, "options"), "must declare at least one option") }
        var options: [String: ConnectorAuthOption] = [:]
        var complete = true
        for member in optionMembers {
            let optionPath = join(join(path, "options"), member.key)
            guard key(member.key, file, line: member.keyLine, optionPath, kind: "auth option key") else {
                complete = false
                continue
            }
            if let option = authOption(member.value, file, optionPath, folder: "auth/\(member.key)/") {
                options[member.key] = option
            } else {
                complete = false
            }
        }
        return complete && !options.isEmpty ? .options(options) : nil
    }

    private static let oauth2Fields = [
        "authorizeUri", "tokenUri", "revokeUri", "scopes", "skipPkce", "clientAuthLocation", "noRefreshToken", "extra", "grantType",
    ]
    private static let oauth1Fields = ["requestTokenUri", "authorizeUri", "accessTokenUri", "signatureMethod"]

    private func authOption(_ node: SourceNode, _ file: String, _ path: String, folder: String) -> ConnectorAuthOption? {
        guard let members = mapping(node, file, path) else { return nil }
        let type = required(members, "type", parent: node, file, path).flatMap {
            choice($0, ConnectorAuthType.self, file, join(path, "type"))
        }
        var allowed =
            ["type", "title", "description", "inputSchema", "credentialsExpiredWhen", "allowedHosts"]
            + ConnectorAuthFunction.allCases.map(\.rawValue)
        switch type {
        case .oauth2?: allowed += Self.oauth2Fields
        case .oauth1?: allowed += Self.oauth1Fields
        case nil: allowed += Self.oauth2Fields + Self.oauth1Fields  // type already reported; no noise
        default: break
        }
        unknownFields(members, allowed: allowed, file, path)
        let title = optionalString(members, "title", file, path)
        let description = optionalString(members, "description", file, path)
        let inputSchema = schema(members, "inputSchema", file, path)

        var functions: [ConnectorAuthFunction: ConnectorFunction] = [:]
        var declared: Set<ConnectorAuthFunction> = []
        for name in ConnectorAuthFunction.allCases {
            let inline = members.first { $0.key == name.rawValue }
            let functionPath = join(path, name.rawValue)
            let result = function(name.rawValue, inline: inline, folder: folder, file, functionPath)
            guard result.declared else { continue }
            declared.insert(name)
            if let type, !name.allowedTypes.contains(type) {
                let types = ConnectorAuthType.allCases.filter { name.allowedTypes.contains($0) }.map(\.rawValue)
                let where_ = inline.map { (file, $0.keyLine) } ?? (folder + name.rawValue, nil)
                report(
                    where_.0, line: where_.1, functionPath,
                    "only allowed for auth type \(types.joined(separator: ", ")), not \(type.rawValue)")
                continue
            }
            if let function = result.function { functions[name] = function }
        }
        if !declared.contains(.makeApiClient) {
            report(
                file, at: node, join(path, "makeApiClient"),
                "is required (inline, or as one of the files \(functionFilesHint(folder, "makeApiClient")))")
        }
        let hasConfigFunction = declared.contains(.getOAuthConfig)
        var option = ConnectorAuthOption(
            type: type ?? .none, title: title, description: description, inputSchema: inputSchema, functions: functions)
        option.credentialsExpiredWhen = members.first { $0.key == "credentialsExpiredWhen" }?.value.json
        option.allowedHosts = allowedHosts(members, file, path)
        switch type {
        case .oauth2?: option.oauth2 = oauth2(members, parent: node, file, path, hasConfigFunction: hasConfigFunction)
        case .oauth1?: option.oauth1 = oauth1(members, parent: node, file, path, hasConfigFunction: hasConfigFunction)
        default: break
        }
        return type == nil ? nil : option
    }

    /// `allowedHosts`: a list of host patterns (``ConnectorHostPattern``).
    private func allowedHosts(_ members: [SourceNode.Member], _ file: String, _ path: String) -> [ConnectorHostPattern] {
        guard let node = members.first(where: { $0.key == "allowedHosts" })?.value else { return [] }
        let listPath = join(path, "allowedHosts")
        guard case .sequence(let items) = node.kind else {
            report(
                file, at: node, listPath, "must be a list of host names (api.example.com, api.example.com:8443, *.example.com), not \(node.typeName)")
            return []
        }
        return items.enumerated().compactMap { index, item in
            guard let text = string(item, file, "\(listPath)[\(index)]") else { return nil }
            do throws(ConnectorHostPattern.Invalid) {
                return try ConnectorHostPattern(text)
            } catch {
                report(file, at: item, "\(listPath)[\(index)]", error.message)
                return nil
            }
        }
    }

    private func oauth2(
        _ members: [SourceNode.Member], parent: SourceNode, _ file: String, _ path: String, hasConfigFunction: Bool
    ) -> ConnectorOAuth2Config {
        var config = ConnectorOAuth2Config()
        config.authorizeUri = optionalString(members, "authorizeUri", file, path)
        config.tokenUri = optionalString(members, "tokenUri", file, path)
        config.revokeUri = optionalString(members, "revokeUri", file, path)
        if let node = members.first(where: { $0.key == "scopes" })?.value {
            if case .sequence(let items) = node.kind {
                config.scopes = items.enumerated().compactMap { index, item in
                    string(item, file, "\(join(path, "scopes"))[\(index)]")
                }
            } else {
                report(file, at: node, join(path, "scopes"), "must be a list of strings, not \(node.typeName)")
            }
        }
        config.skipPkce = optionalBool(members, "skipPkce", file, path) ?? false
        config.noRefreshToken = optionalBool(members, "noRefreshToken", file, path) ?? false
        if let node = members.first(where: { $0.key == "clientAuthLocation" })?.value {
            config.clientAuthLocation =
                choice(node, ConnectorOAuth2ClientAuthLocation.self, file, join(path, "clientAuthLocation")) ?? .body
        }
        if let node = members.first(where: { $0.key == "grantType" })?.value {
            config.grantType = choice(node, ConnectorOAuth2GrantType.self, file, join(path, "grantType")) ?? .authorizationCode
        }
        if let node = members.first(where: { $0.key == "extra" })?.value, mapping(node, file, join(path, "extra")) != nil,
            case .object(let extra) = node.json
        {
            config.extra = extra
        }
        if !hasConfigFunction {
            let needed = config.grantType == .authorizationCode ? ["authorizeUri", "tokenUri"] : ["tokenUri"]
            for field in needed where !members.contains(where: { $0.key == field }) {
                report(file, at: parent, join(path, field), "is required unless getOAuthConfig is declared")
            }
        }
        return config
    }

    private func oauth1(
        _ members: [SourceNode.Member], parent: SourceNode, _ file: String, _ path: String, hasConfigFunction: Bool
    ) -> ConnectorOAuth1Config {
        var config = ConnectorOAuth1Config()
        config.requestTokenUri = optionalString(members, "requestTokenUri", file, path)
        config.authorizeUri = optionalString(members, "authorizeUri", file, path)
        config.accessTokenUri = optionalString(members, "accessTokenUri", file, path)
        if let node = members.first(where: { $0.key == "signatureMethod" })?.value, node.string != "HMAC-SHA1" {
            report(file, at: node, join(path, "signatureMethod"), "must be HMAC-SHA1 (the only signature method supported)")
        }
        if !hasConfigFunction {
            for field in ["requestTokenUri", "authorizeUri", "accessTokenUri"]
            where !members.contains(where: { $0.key == field }) {
                report(file, at: parent, join(path, field), "is required unless getOAuthConfig is declared")
            }
        }
        return config
    }

    // MARK: - Operations and data collections

    /// The keys of the folders under `prefix` (`operations/`, `data/`), with files found there.
    private func folders(under prefix: String) -> [String] {
        let keys = files.keys.compactMap { path -> String? in
            guard path.hasPrefix(prefix) else { return nil }
            let rest = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            return rest.count >= 2 ? String(rest[0]) : nil
        }
        return Set(keys).sorted()
    }

    /// Checks a folder's key and that it has a spec.yml; returns the spec's root node and members.
    private func folderSpec(_ prefix: String, _ key: String, kind: String) -> (SourceNode, [SourceNode.Member])? {
        let folder = prefix + key + "/"
        let file = folder + "spec.yml"
        guard ConnectorKey.isValid(key) else {
            let reported = files[file] != nil ? file : folder
            report(reported, "", "\(kind) key \"\(key)\" must match \(ConnectorKey.pattern)")
            consumed.formUnion(files.keys.filter { $0.hasPrefix(folder) })
            return nil
        }
        guard files[file] != nil else {
            report(file, "", "missing: every folder under \(prefix) needs a spec.yml")
            return nil
        }
        guard let root = yaml(file), let members = mapping(root, file, "") else { return nil }
        return (root, members)
    }

    private func validateOperations() -> [ConnectorOperation] {
        var operations: [ConnectorOperation] = []
        for key in folders(under: "operations/") {
            guard let (root, members) = folderSpec("operations/", key, kind: "operation") else { continue }
            let folder = "operations/\(key)/"
            let file = folder + "spec.yml"
            unknownFields(members, allowed: ["name", "description", "inputSchema", "outputSchema", "run"], file, "")
            let name = required(members, "name", parent: root, file, "").flatMap { string($0, file, "name") }
            let description = optionalString(members, "description", file, "")
            let inputSchema = schema(members, "inputSchema", file, "")
            let outputSchema = schema(members, "outputSchema", file, "")
            let run = function("run", inline: members.first { $0.key == "run" }, folder: folder, file, "run")
            if !run.declared {
                report(file, at: root, "run", "is required (inline, or as one of the files \(functionFilesHint(folder, "run")))")
            }
            if let name, let function = run.function {
                operations.append(
                    ConnectorOperation(
                        key: key, name: name, description: description, inputSchema: inputSchema,
                        outputSchema: outputSchema, run: function))
            }
        }
        return operations
    }

    private func validateDataCollections() -> [ConnectorDataCollection] {
        var collections: [ConnectorDataCollection] = []
        for key in folders(under: "data/") {
            guard let (root, members) = folderSpec("data/", key, kind: "data collection") else { continue }
            let folder = "data/\(key)/"
            let file = folder + "spec.yml"
            unknownFields(
                members,
                allowed: ["name", "description", "parametersSchema", "fieldsSchema", "methods", "idField", "fieldsFromApi", "fieldsToApi", "events"],
                file, "")
            let name = required(members, "name", parent: root, file, "").flatMap { string($0, file, "name") }
            let description = optionalString(members, "description", file, "")
            let parametersSchema = schema(members, "parametersSchema", file, "")
            let fieldsSchema =
                required(members, "fieldsSchema", parent: root, file, "") != nil
                ? schema(members, "fieldsSchema", file, "") : nil
            let methodsNode = members.first { $0.key == "methods" }?.value
            var methodMembers: [SourceNode.Member] = []
            if let methodsNode, let found = mapping(methodsNode, file, "methods") {
                methodMembers = found
                unknownFields(found, allowed: ConnectorDataMethod.allCases.map(\.rawValue), file, "methods")
            }
            var methods: [ConnectorDataMethod: ConnectorFunction] = [:]
            var declaredAny = false
            for method in ConnectorDataMethod.allCases {
                let result = function(
                    method.rawValue, inline: methodMembers.first { $0.key == method.rawValue }, folder: folder, file,
                    "methods.\(method.rawValue)")
                declaredAny = declaredAny || result.declared
                if let function = result.function { methods[method] = function }
            }
            if !declaredAny {
                let names = ConnectorDataMethod.allCases.map(\.rawValue).joined(separator: ", ")
                report(
                    file, at: methodsNode ?? root, "methods",
                    "must declare at least one of \(names) (inline, or as files such as \(folder)list.api.yml)")
            }
            let idField = optionalString(members, "idField", file, "") ?? "id"
            let fieldsFromApi = members.first { $0.key == "fieldsFromApi" }?.value.json
            let fieldsToApi = members.first { $0.key == "fieldsToApi" }?.value.json
            let events = members.first { $0.key == "events" }.flatMap { dataEvents($0.value, folder: folder, file) }
            if events?.pullLatestRecords != nil || events?.fullScan == true, methods[.list] == nil {
                report(file, at: root, "events", "pull-latest-records and full-scan read through the list method, which is not declared")
            }
            if let name, let fieldsSchema {
                collections.append(
                    ConnectorDataCollection(
                        key: key, name: name, description: description, parametersSchema: parametersSchema,
                        fieldsSchema: fieldsSchema, methods: methods, idField: idField, fieldsFromApi: fieldsFromApi,
                        fieldsToApi: fieldsToApi, events: events))
            }
        }
        return collections
    }

    /// Checks a collection's `events`; functions may be files in `data/<key>/events/`.
    private func dataEvents(_ node: SourceNode, folder: String, _ file: String) -> ConnectorDataEvents? {
        guard let members = mapping(node, file, "events") else { return nil }
        unknownFields(members, allowed: ["pull-latest-records", "full-scan", "pull", "webhook"], file, "events")
        var events = ConnectorDataEvents()
        let functions = folder + "events/"
        if let pull = members.first(where: { $0.key == "pull-latest-records" })?.value {
            let path = "events.pull-latest-records"
            if let settings = mapping(pull, file, path) {
                unknownFields(settings, allowed: ["updatedField", "resumeFromCursor"], file, path)
                let updatedField = optionalString(settings, "updatedField", file, path)
                let resume = optionalBool(settings, "resumeFromCursor", file, path) ?? false
                if updatedField == nil, !resume { report(file, at: pull, path, "needs updatedField, or resumeFromCursor: true") }
                events.pullLatestRecords = .init(updatedField: updatedField, resumeFromCursor: resume)
            }
        }
        if let scan = members.first(where: { $0.key == "full-scan" })?.value {
            if let flag = scan.bool {
                events.fullScan = flag
            } else {
                report(file, at: scan, "events.full-scan", "must be true or false, not \(scan.typeName)")
            }
        }
        let pull = function("pull", inline: members.first { $0.key == "pull" }, folder: functions, file, "events.pull")
        events.pull = pull.function
        if let webhook = members.first(where: { $0.key == "webhook" })?.value {
            events.webhook = self.webhook(webhook, functions: functions, file)
        }
        return events
    }

    private func webhook(_ node: SourceNode, functions: String, _ file: String) -> ConnectorDataEvents.Webhook? {
        let path = "events.webhook"
        guard let members = mapping(node, file, path) else { return nil }
        unknownFields(
            members, allowed: ["subscribe", "handle", "unsubscribe", "refresh", "refreshIntervalSeconds", "signature", "challengeQuery"], file, path)
        func named(_ name: String) -> (declared: Bool, function: ConnectorFunction?) {
            function(name, inline: members.first { $0.key == name }, folder: functions, file, join(path, name))
        }
        let subscribe = named("subscribe")
        let handle = named("handle")
        for (name, found) in [("subscribe", subscribe), ("handle", handle)] where !found.declared {
            report(file, at: node, join(path, name), "is required (inline, or as one of the files \(functionFilesHint(functions, name)))")
        }
        var interval: Int?
        if let seconds = members.first(where: { $0.key == "refreshIntervalSeconds" })?.value {
            if case .number(let value) = seconds.json, value >= 60, value <= 31_536_000, value == value.rounded() {
                interval = Int(value)
            } else {
                report(file, at: seconds, join(path, "refreshIntervalSeconds"), "must be a whole number of seconds from 60 to 31536000")
            }
        }
        var signature: ConnectorDataEvents.WebhookSignature?
        if let signed = members.first(where: { $0.key == "signature" })?.value, let settings = mapping(signed, file, join(path, "signature")) {
            let at = join(path, "signature")
            unknownFields(settings, allowed: ["header", "secret", "prefix", "encoding"], file, at)
            let header = required(settings, "header", parent: signed, file, at).flatMap { string($0, file, join(at, "header")) }
            let secret = required(settings, "secret", parent: signed, file, at)?.json
            let encoding = optionalString(settings, "encoding", file, at) ?? "hex"
            if !["hex", "base64"].contains(encoding) { report(file, at: signed, join(at, "encoding"), "must be one of hex, base64") }
            if let header, let secret {
                signature = .init(header: header, secret: secret, prefix: settings.first { $0.key == "prefix" }?.value.string ?? "",
                    encoding: encoding)
            }
        }
        let challenge = optionalString(members, "challengeQuery", file, path)
        let unsubscribe = named("unsubscribe").function
        let refresh = named("refresh").function
        guard let subscribeFunction = subscribe.function, let handleFunction = handle.function else { return nil }
        return .init(
            subscribe: subscribeFunction, handle: handleFunction, unsubscribe: unsubscribe, refresh: refresh,
            refreshIntervalSeconds: interval, signature: signature, challengeQuery: challenge)
    }

    private func reportUnexpectedFiles() {
        for path in files.keys.sorted() where !consumed.contains(path) && !path.hasSuffix(".md") {
            report(path, "", "unexpected file (see docs/connectors.md for the package layout)")
        }
    }
}
