import SwitchyardCore

/// A flow's `nodes` read and checked: every node's type and settings, links that point at
/// nodes that exist, no cycles, and (at the top) exactly one trigger, where a run starts. A
/// `for-each` node's `config.nodes` is a graph of the same kind without a trigger; it starts at
/// its nodes no link points to.
package struct FlowGraph: Sendable {
    /// The nodes by key.
    package var nodes: [String: FlowNode]
    /// Where a run starts, in order (the trigger, or a sub-branch's first nodes).
    package var entries: [String]
    /// For-each sub-branches, by the for-each node's key.
    package var branches: [String: FlowGraph]

    /// The trigger node (top-level graphs only).
    package var trigger: FlowNode? { entries.first.flatMap { nodes[$0] }.flatMap { if case .trigger = $0.kind { $0 } else { nil } } }

    /// The most nodes a flow may have, sub-branches included.
    static let maxNodes = 500

    /// Reads a flow's `nodes`.
    /// - Parameter path: Where these nodes are, for messages (`nodes`, `nodes.loop.config.nodes`).
    /// - Throws: `bad_request` naming the node and field that is wrong.
    package init(_ value: JSONValue?, path: String = "nodes", topLevel: Bool = true) throws(SwitchyardError) {
        guard case .object(let members)? = value, !members.isEmpty else {
            throw Self.problem(path, topLevel ? "a flow needs nodes, one of them a trigger" : "must be an object with at least one node")
        }
        guard members.count <= Self.maxNodes else { throw Self.problem(path, "has \(members.count) nodes; at most \(Self.maxNodes) are allowed") }
        var nodes: [String: FlowNode] = [:]
        var branches: [String: FlowGraph] = [:]
        for (key, content) in members {
            let node = try Self.node(key, content, path: "\(path).\(key)")
            if node.kind == .forEach {
                branches[key] = try FlowGraph(node.config["nodes"], path: "\(path).\(key).config.nodes", topLevel: false)
            }
            nodes[key] = node
        }
        for node in nodes.values {
            for link in node.links where nodes[link.key] == nil {
                throw Self.problem("\(path).\(node.key).links", "points at \(link.key), which is not a node here")
            }
        }
        let triggers = nodes.values.filter { if case .trigger = $0.kind { true } else { false } }.map(\.key).sorted()
        let targets = Set(nodes.values.flatMap { $0.links.map(\.key) })
        if topLevel {
            guard triggers.count == 1, let trigger = triggers.first else {
                let found = triggers.isEmpty ? "none" : triggers.joined(separator: ", ")
                throw Self.problem(path, "a flow needs exactly one trigger node (one of \(FlowNode.TriggerKind.allCases.map(\.rawValue).joined(separator: ", "))); found \(found)")
            }
            guard !targets.contains(trigger) else { throw Self.problem("\(path).\(trigger)", "a trigger starts the flow; no link may point at it") }
            entries = [trigger]
        } else {
            guard triggers.isEmpty else { throw Self.problem("\(path).\(triggers[0])", "a for-each branch cannot have a trigger") }
            entries = nodes.keys.filter { !targets.contains($0) }.sorted()
            guard !entries.isEmpty else { throw Self.problem(path, "every node has a link pointing at it, so the branch has nowhere to start") }
        }
        self.nodes = nodes
        self.branches = branches
        try checkAcyclic(path: path)
        let count = totalNodes
        guard count <= Self.maxNodes else { throw Self.problem(path, "has \(count) nodes with its branches; at most \(Self.maxNodes) are allowed") }
    }

    /// Nodes here and in sub-branches.
    var totalNodes: Int { nodes.count + branches.values.reduce(0) { $0 + $1.totalNodes } }

    private func checkAcyclic(path: String) throws(SwitchyardError) {
        var state: [String: Bool] = [:]  // false: on the current path; true: done.
        func visit(_ key: String, _ trail: [String]) throws(SwitchyardError) {
            if state[key] == true { return }
            if state[key] == false {
                throw Self.problem(path, "the links form a cycle: \((trail + [key]).joined(separator: " → "))")
            }
            state[key] = false
            for link in nodes[key]?.links ?? [] { try visit(link.key, trail + [key]) }
            state[key] = true
        }
        for key in nodes.keys.sorted() { try visit(key, []) }
    }

    private static func node(_ key: String, _ content: JSONValue, path: String) throws(SwitchyardError) -> FlowNode {
        guard case .object(let members) = content else { throw problem(path, "must be an object with a type") }
        guard key.count <= 100, !key.isEmpty, !key.contains("/"), !key.contains("[") else {
            throw problem(path, "a node key must be 1 to 100 characters without / or [")
        }
        let allowed: Set<String> = ["type", "name", "config", "links", "onError", "retries", "idempotent", "outputMapping", "description"]
        if let unknown = members.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw problem("\(path).\(unknown)", "is not a node field; use \(allowed.sorted().joined(separator: ", "))")
        }
        guard let typeName = members["type"]?.stringValue else { throw problem("\(path).type", "is required: one of \(FlowNode.Kind.allNames.joined(separator: ", "))") }
        guard let kind = FlowNode.Kind(typeName) else {
            throw problem("\(path).type", "\(typeName) is not a node type; use one of \(FlowNode.Kind.allNames.joined(separator: ", "))")
        }
        var config: [String: JSONValue] = [:]
        if let value = members["config"], value != .null {
            guard case .object(let fields) = value else { throw problem("\(path).config", "must be an object") }
            config = fields
        }
        var action: ActionDefinition?
        if case .action = kind {
            // The same checks as an action element's; the node keeps what they read.
            var content: [String: JSONValue] = ["type": .string(typeName), "config": .object(config)]
            if let mapping = members["outputMapping"] { content["outputMapping"] = mapping }
            do {
                action = try ActionDefinition(content: content, name: key)
            } catch {
                throw problem(path, error.message)
            }
        }
        try requireConfig(kind, config, path: path)
        let links = try Self.links(members["links"], path: "\(path).links")
        var onError = FlowNode.OnError.stop
        if let value = members["onError"], value != .null {
            guard let text = value.stringValue, let parsed = FlowNode.OnError(rawValue: text) else { throw problem("\(path).onError", "must be stop or continue") }
            onError = parsed
        }
        var attempts = 1
        var backoff = 1000
        if let value = members["retries"], value != .null {
            guard case .object(let retry) = value else { throw problem("\(path).retries", "must be an object {attempts, backoffMs}") }
            if let number = retry["attempts"] {
                guard let count = number.numberValue, count == count.rounded(), (1...20).contains(count) else { throw problem("\(path).retries.attempts", "must be a whole number from 1 to 20") }
                attempts = Int(count)
            }
            if let number = retry["backoffMs"] {
                guard let delay = number.numberValue, delay == delay.rounded(), (0...600_000).contains(delay) else {
                    throw problem("\(path).retries.backoffMs", "must be a whole number of milliseconds from 0 to 600000")
                }
                backoff = Int(delay)
            }
        }
        var idempotent = defaultIdempotent(kind, config)
        if let value = members["idempotent"], value != .null {
            guard case .bool(let flag) = value else { throw problem("\(path).idempotent", "must be true or false") }
            idempotent = flag
        }
        return FlowNode(
            key: key, kind: kind, config: config, action: action, links: links, onError: onError,
            attempts: attempts, backoffMilliseconds: backoff, idempotent: idempotent
        )
    }

    private static func requireConfig(_ kind: FlowNode.Kind, _ config: [String: JSONValue], path: String) throws(SwitchyardError) {
        let required: [String] =
            switch kind {
            case .filter: ["condition"]
            case .forEach: ["items", "nodes"]
            case .delay: ["seconds"]
            case .runFlow: ["flowKey"]
            default: []
            }
        for field in required where config[field] == nil || config[field] == .null {
            throw problem("\(path).config.\(field)", "is required for \(kind.name)")
        }
        if case .trigger(.schedule) = kind {
            let every = config["everySeconds"]
            let cron = config["cron"]
            guard (every == nil) != (cron == nil) else { throw problem("\(path).config", "a schedule trigger needs exactly one of everySeconds and cron") }
            if let every, !(every.numberValue.map { $0 >= 1 && $0 <= 31_622_400 && $0 == $0.rounded() } ?? false) {
                throw problem("\(path).config.everySeconds", "must be a whole number of seconds from 1 to 31622400")
            }
            if let cron, cron.stringValue == nil { throw problem("\(path).config.cron", "must be a five-field cron expression") }
        }
        if case .trigger(.appEvent) = kind, let key = config[AppEventSubscriptions.typeKeyField],
            !(key.stringValue.map { (1...100).contains($0.unicodeScalars.count) } ?? false)
        {
            throw problem("\(path).config.appEventTypeKey", "must be the key of an app event type (1 to 100 characters)")
        }
    }

    /// Reads, transforms, waits and filters may run twice; requests that are not GET, writes,
    /// custom code and sub-flows may not, unless the flow says so.
    private static func defaultIdempotent(_ kind: FlowNode.Kind, _ config: [String: JSONValue]) -> Bool {
        switch kind {
        case .trigger, .filter, .forEach, .delay: return true
        case .runFlow: return false
        case .action(let action):
            switch action {
            case .transform, .listDataRecords, .findDataRecordByID, .searchDataRecords, .matchDataRecord: return true
            case .apiRequestToExternalApp, .apiRequestToYourApp:
                let method = config["method"]
                return method == nil || method?.stringValue?.uppercased() == "GET"
            default: return false
            }
        }
    }

    private static func links(_ value: JSONValue?, path: String) throws(SwitchyardError) -> [FlowNode.Link] {
        guard let value, value != .null else { return [] }
        guard case .array(let items) = value else { throw problem(path, "must be a list of {key, filter?}") }
        var links: [FlowNode.Link] = []
        for (index, item) in items.enumerated() {
            switch item {
            case .string(let key): links.append(.init(key: key, filter: nil))
            case .object(let members):
                guard let key = members["key"]?.stringValue else { throw problem("\(path)[\(index)].key", "is required") }
                if let unknown = members.keys.first(where: { $0 != "key" && $0 != "filter" }) { throw problem("\(path)[\(index)].\(unknown)", "is not a link field (key, filter)") }
                links.append(.init(key: key, filter: members["filter"].flatMap { $0 == .null ? nil : $0 }))
            default: throw problem("\(path)[\(index)]", "must be a node key or {key, filter}")
            }
        }
        return links
    }

    static func problem(_ path: String, _ message: String) -> SwitchyardError {
        SwitchyardError(.badRequest, "\(path): \(message)", data: [path: message])
    }
}
