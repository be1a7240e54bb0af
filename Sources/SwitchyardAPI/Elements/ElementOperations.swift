import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// What the element routes do: the layer rules in one place.
enum ElementOperations {
    /// `GET /<elements>`: a page, filtered by layer, integration, connection, instance key, parent
    /// or key, each item with its effective content.
    /// - Parameter tenantID: Only this tenant's elements (instances), when given.
    static func list(
        _ type: ElementType, _ request: APIRequest, _ deps: APIDependencies, tenantID: String? = nil
    ) async throws(SwitchyardError) -> JSONValue {
        let query = try ListQuery(request.query)
        let scope = request.caller.scope
        var fields: [String: String?] = [:]
        if let layer = request.query["layer"] {
            guard ElementLayer(rawValue: layer) != nil else {
                throw SwitchyardError(
                    .badRequest, "layer must be universal, integration or instance, got \(layer)",
                    data: ["layer": "must be universal, integration or instance"])
            }
            fields["layer"] = layer
        }
        if let integration = try await ElementResolver.integration(request.query, records: deps.records, scope: scope) {
            fields["integrationId"] = integration.id
        }
        if let connectionID = request.query["connectionId"] { fields["connectionId"] = connectionID }
        if let instanceKey = request.query["instanceKey"] { fields["instanceKey"] = instanceKey }
        let filter = query.filter(
            RecordFilter(key: request.query["key"], parentID: request.query["parentId"], tenantID: tenantID, documentFields: fields),
            searchFields: ["content.name"])
        let page = try await deps.records.list(type.kind, scope: scope, filter: filter, limit: query.limit, cursor: query.cursor)
        let resolver = ElementResolver(type: type, records: deps.records, scope: scope)
        var cache: [String: Record] = [:]
        var items: [JSONValue] = []
        for record in page.items { items.append(try await resolver.json(Element(record), cache: &cache)) }
        var members: [String: JSONValue] = ["items": .array(items)]
        if let cursor = page.cursor { members["cursor"] = .string(cursor) }
        return .object(members)
    }

    /// `POST /<elements>`: the body's `connectionId` makes an instance (of the same key's
    /// integration-level element, else the universal one, or of `parentId`), `integrationKey` /
    /// `integrationId` an integration-level element (a child of the universal one with its key,
    /// if there is one), neither a universal element. Content given for a child customizes it.
    static func create(_ type: ElementType, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let caller = request.caller
        if !caller.isAdmin, request.body?["connectionId"] == nil {
            throw SwitchyardError(
                .accessDenied,
                "creating a universal or integration-level \(type.singular) needs an admin token; "
                    + "a tenant creates instances for its own connections (connectionId)"
            )
        }
        var reader = try BodyReader(request.body, allowed: ElementRoutes.placementFields.union(type.content.keys))
        var key = reader.string("key", maxLength: 100)
        if let key, key.contains(".") || key.contains("/") { reader.reject("key", "must not contain . or /") }
        let connectionID = reader.string("connectionId")
        let instanceKey = reader.string("instanceKey")
        let parentID = reader.string("parentId")
        var selectors: [String: String] = [:]
        for name in ["integrationId", "integrationKey"] { selectors[name] = reader.string(name) }
        let content = try readContent(type, request.body, into: &reader, allowNull: false)
        if type.kind == .fieldMappings, !caller.isAdmin, !content.isEmpty { throw tenantMappingContent() }
        if instanceKey != nil, connectionID == nil { reader.reject("instanceKey", "needs connectionId (instances belong to a connection)") }
        try reader.finish()

        let scope = caller.scope
        var integration = try await ElementResolver.integration(selectors, records: deps.records, scope: scope)
        var layer = integration == nil ? ElementLayer.universal : .integration
        var tenantID: String?
        if let connectionID {
            guard let connection = try? await deps.records.get(.connections, id: connectionID, scope: scope), connection.archivedAt == nil else {
                throw SwitchyardError(.notFound, "connectionId \(connectionID): no such connection", data: ["connectionId": "no such connection"])
            }
            if let integration, integration.id != connection.parentID {
                throw SwitchyardError(
                    .notFound, "the connection belongs to another integration", data: ["integrationKey": "is not the connection's integration"])
            }
            layer = .instance
            tenantID = connection.tenantID
            integration = try? await deps.records.get(.integrations, id: connection.parentID ?? "", scope: scope)
        }
        let parent = try await parentForNew(
            type, layer: layer, key: key, parentID: parentID, integrationID: integration?.id, deps: deps, scope: scope)
        if let parent {
            if key == nil { key = parent.key }
            guard key == parent.key else {
                throw SwitchyardError(
                    .conflict, "key must equal the parent's key (\(parent.key ?? ""))", data: ["key": "must equal the parent's key"])
            }
        }
        guard let key else { throw SwitchyardError(.badRequest, "invalid request: key is required", data: ["key": "is required"]) }
        if parent == nil, content["name"] == nil {
            // An integration-level element without content is the integration's version of a
            // universal one; there is none with this key.
            guard layer == .universal else {
                throw SwitchyardError(
                    .notFound, "no universal \(type.singular) with key \(key) to follow; give a name to create one without a parent",
                    data: ["key": "no universal \(type.singular) with this key"]
                )
            }
            throw SwitchyardError(
                .badRequest, "invalid request: name is required (there is no parent to inherit it from)", data: ["name": "is required"])
        }
        let resolver = ElementResolver(type: type, records: deps.records, scope: scope)
        var cache: [String: Record] = [:]
        var own: [String: JSONValue]? = content
        if let parent {
            // A child given content is customized: it starts from the parent's content.
            own = content.isEmpty ? nil : try await resolver.effective(Element(parent), cache: &cache).content.merging(content) { $1 }
        }
        try type.check(own ?? [:])
        try await type.checkReferences(content, records: deps.records, scope: scope)
        let document = Element.document(
            layer: layer, integrationID: integration?.id, connectionID: connectionID, instanceKey: instanceKey,
            isCustomized: parent != nil && own != nil, content: own
        )
        let insertScope = tenantID.map { StoreScope.tenant($0, in: caller.workspaceID) } ?? scope
        let record = try await deps.records.insertKeyed(
            NewRecord(kind: type.kind, tenantID: tenantID, key: key, parentID: parent?.id, document: document), scope: insertScope,
            what: "a \(type.singular) at this layer"
        )
        try await changed(Element(record), deps, scope: insertScope)
        return try await resolver.json(Element(record), cache: &cache)
    }

    /// The parent of a new element: `parentId` when given (checked against the layer), otherwise
    /// the element with the same key one layer up (integration, then universal), if any.
    private static func parentForNew(
        _ type: ElementType, layer: ElementLayer, key: String?, parentID: String?, integrationID: String?, deps: APIDependencies, scope: StoreScope
    ) async throws(SwitchyardError) -> Record? {
        if let parentID {
            guard layer != .universal else {
                throw SwitchyardError(
                    .badRequest, "a universal \(type.singular) has no parent", data: ["parentId": "is not allowed at the universal layer"])
            }
            guard let parent = try? await deps.records.get(type.kind, id: parentID, scope: scope), parent.archivedAt == nil else {
                throw SwitchyardError(.notFound, "parentId \(parentID): no such \(type.singular)", data: ["parentId": "no such \(type.singular)"])
            }
            let element = Element(parent)
            let fits = element.layer == .universal || (layer == .instance && element.layer == .integration && element.integrationID == integrationID)
            guard fits else {
                throw SwitchyardError(
                    .conflict, "parentId must be a universal \(type.singular)\(layer == .instance ? " or one of the connection's integration" : "")",
                    data: ["parentId": "is not at a layer above this one"]
                )
            }
            return parent
        }
        guard layer != .universal, let key else { return nil }
        if layer == .instance, let integrationID {
            let filter = RecordFilter(key: key, documentFields: ["layer": ElementLayer.integration.rawValue, "integrationId": integrationID])
            if let found = try await deps.records.list(type.kind, scope: scope, filter: filter, limit: 1, cursor: nil).items.first { return found }
        }
        let universal = RecordFilter(key: key, documentFields: ["layer": ElementLayer.universal.rawValue])
        let found = try await deps.records.list(type.kind, scope: scope, filter: universal, limit: 1, cursor: nil).items.first
        if layer == .instance, found == nil {
            throw SwitchyardError(
                .notFound, "no integration-level or universal \(type.singular) with key \(key) to make an instance of",
                data: ["key": "no \(type.singular) with this key above the instance layer"]
            )
        }
        return found
    }

    /// `PATCH` (merge; `null` removes a field) and `PUT` (replace) of an element's content. A
    /// child's change customizes it: it keeps its content until `reset`.
    static func change(
        _ type: ElementType, _ request: APIRequest, _ deps: APIDependencies, replacing: Bool
    ) async throws(SwitchyardError) -> JSONValue {
        let resolver = ElementResolver(type: type, records: deps.records, scope: request.caller.scope)
        let element = try await writable(type, request, resolver)
        if type.kind == .fieldMappings, !request.caller.isAdmin { throw tenantMappingContent() }
        var reader = try BodyReader(request.body, allowed: Set(type.content.keys))
        let fields = try readContent(type, request.body, into: &reader, allowNull: !replacing)
        if replacing, fields["name"] == nil { reader.reject("name", "is required") }
        try reader.finish()
        var cache: [String: Record] = [:]
        var content = replacing ? [:] : try await resolver.effective(element, cache: &cache).content
        for (name, value) in fields {
            if value == .null { content[name] = nil } else { content[name] = value }
        }
        try type.check(content)
        try await type.checkReferences(fields, records: deps.records, scope: request.caller.scope)
        let document = element.withContent(content)
        let record = try await update(element, request, deps) { $0.document = document }
        try await changed(Element(record), deps, scope: request.caller.scope)
        return try await resolver.json(Element(record), cache: &cache)
    }

    /// `POST /<elements>/{selector}/reset`: the child follows its parent again.
    static func reset(_ type: ElementType, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let resolver = ElementResolver(type: type, records: deps.records, scope: request.caller.scope)
        let element = try await writable(type, request, resolver)
        guard element.record.parentID != nil else {
            throw SwitchyardError(.conflict, "\(type.singular) \(request.path("selector")) has no parent, so there is nothing to reset it to")
        }
        let document = element.withContent(nil)
        let record = try await update(element, request, deps) { $0.document = document }
        try await changed(Element(record), deps, scope: request.caller.scope)
        var cache: [String: Record] = [:]
        return try await resolver.json(Element(record), cache: &cache)
    }

    /// `DELETE /<elements>/{selector}`: archives the element and every element below it (an
    /// instance must not outlive the element it is an instance of), the lowest first, so a
    /// failed archive can be repeated.
    static func archive(_ type: ElementType, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let resolver = ElementResolver(type: type, records: deps.records, scope: request.caller.scope)
        let element = try await writable(type, request, resolver)
        let workspace = StoreScope.workspace(request.caller.workspaceID)
        var descendants: [String] = []
        var frontier = element.record.tenantID == nil ? [element.record.id] : []
        while let parentID = frontier.popLast() {
            let children = try await deps.records.all(type.kind, scope: workspace, filter: RecordFilter(parentID: parentID)).map(\.id)
            descendants += children
            frontier += children
        }
        let now = StoreClock.now()
        for chunk in stride(from: 0, to: descendants.count, by: 500).map({ descendants[$0..<min($0 + 500, descendants.count)] }).reversed() {
            _ = try await deps.records.apply(
                chunk.map { id in
                    .update(type.kind, id: id, scope: workspace, expectedRevision: nil) { record in
                        if record.archivedAt == nil { record.archivedAt = now }
                    }
                })
        }
        let record = try await update(element, request, deps, checkRevision: false) { record in
            if record.archivedAt == nil { record.archivedAt = now }
        }
        try await changed(Element(record), deps, scope: request.caller.scope)
        var cache: [String: Record] = [:]
        return try await resolver.json(Element(record), cache: &cache)
    }

    /// Keeps what depends on an element in step with it: a flow or data source instance's job
    /// schedules, and a flow instance's tenant's app event subscriptions. (Schedules of instances
    /// below a changed parent are brought in step when they fire, subscriptions when an event of
    /// the type arrives.)
    private static func changed(_ element: Element, _ deps: APIDependencies, scope: StoreScope) async throws(SwitchyardError) {
        guard element.layer == .instance else { return }
        let owner = element.record.tenantID.map { StoreScope.tenant($0, in: scope.workspaceID) } ?? scope
        if element.record.kind == .flows, let instances = deps.flowInstances {
            try await instances.syncSchedule(element, scope: owner)
            try await AppEventSubscriptions(records: deps.records).sync(after: element)
        }
        if element.record.kind == .dataSources, let instances = deps.dataSources {
            try await instances.syncSchedules(element, scope: owner)
            await deps.subscriptions?.sync(element)
        }
    }

    /// A tenant configures its field mapping instance field by field (`/field-mapping-instances`),
    /// where frozen fields are enforced; it does not write the mapping's content.
    private static func tenantMappingContent() -> SwitchyardError {
        SwitchyardError(
            .accessDenied,
            "a tenant changes its field mapping through PATCH /field-mapping-instances/{id} (importValue, exportValue); "
                + "the mapping's content needs an admin token"
        )
    }

    /// The element a change addresses, once the caller may change it: tenants change only their
    /// own instances (another tenant's is not found; shared layers need an admin).
    private static func writable(_ type: ElementType, _ request: APIRequest, _ resolver: ElementResolver) async throws(SwitchyardError) -> Element {
        let element = try await resolver.resolve(request.path("selector"), query: request.query)
        if element.record.tenantID == nil, !request.caller.isAdmin {
            throw SwitchyardError(.accessDenied, "changing a universal or integration-level \(type.singular) needs an admin token")
        }
        return element
    }

    /// Writes a change under the element owner's scope, refusing it (409) when the element
    /// changed since it was read.
    private static func update(
        _ element: Element, _ request: APIRequest, _ deps: APIDependencies, checkRevision: Bool = true,
        _ change: @escaping @Sendable (inout Record) -> Void
    ) async throws(SwitchyardError) -> Record {
        let scope = element.record.tenantID.map { StoreScope.tenant($0, in: request.caller.workspaceID) } ?? request.caller.scope
        return try await deps.records.update(
            element.record.kind, id: element.record.id, scope: scope, expectedRevision: checkRevision ? element.record.revision : nil
        ) { record in
            change(&record)
        }
    }

    /// The content fields of a body, each checked against its schema (problems go to `reader`).
    private static func readContent(
        _ type: ElementType, _ body: JSONValue?, into reader: inout BodyReader, allowNull: Bool
    ) throws(SwitchyardError) -> [String: JSONValue] {
        guard case .object(let members)? = body else { return [:] }
        let fields = members.filter { type.content[$0.key] != nil }
        var problems: [String: String] = [:]
        type.validate(fields, into: &problems, allowNull: allowNull)
        for (name, problem) in problems { reader.reject(name, problem) }
        return fields
    }
}
