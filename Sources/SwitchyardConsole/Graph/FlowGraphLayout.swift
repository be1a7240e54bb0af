import SwitchyardCore

/// A layered layout of a flow's nodes, top to bottom: each node's layer is its longest path
/// from a node no link points at (the trigger), nodes in a layer are ordered by where their
/// predecessors are, and links are edges between box centres. Links that close a cycle (the
/// API refuses them, but a stored flow is read as it is) and links to unknown keys never make
/// the layout loop; a cycle's closing link is kept as a `back` edge.
struct FlowGraphLayout: Sendable, Equatable {
    /// A node as the layout reads it.
    struct Node: Sendable, Equatable {
        /// The node key.
        var key: String
        /// The node's name, if it has one.
        var name: String?
        /// The node type.
        var type: String
        /// The keys this node links to, in order.
        var links: [String]
    }

    /// A placed node.
    struct Box: Sendable, Equatable {
        /// The node.
        var node: Node
        /// Its layer (0 at the top).
        var layer: Int
        /// Its position in the layer (0 at the left).
        var slot: Int
        /// The top-left corner.
        var x: Int, y: Int
    }

    /// A link between two placed nodes.
    struct Edge: Sendable, Equatable {
        /// The node the link leaves.
        var from: String
        /// The node it points at.
        var to: String
        /// Whether it points up (or sideways): a link that closes a cycle.
        var back: Bool
    }

    /// Box size and gaps, in SVG user units.
    static let boxWidth = 200, boxHeight = 56, gapX = 40, gapY = 48, margin = 16

    /// The placed nodes, by layer then slot.
    var boxes: [Box]
    /// The edges, in node order then link order.
    var edges: [Edge]
    /// The drawing's size.
    var width: Int, height: Int

    /// Lays out nodes.
    init(_ nodes: [Node]) {
        let byKey = Dictionary(nodes.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let keys = byKey.keys.sorted()
        var edges: [Edge] = []
        var seen: Set<String> = []
        let back = Self.backLinks(keys: keys, byKey: byKey)
        for key in keys {
            for target in byKey[key]?.links ?? [] where byKey[target] != nil && !seen.contains(key + "\u{0}" + target) {
                seen.insert(key + "\u{0}" + target)
                edges.append(Edge(from: key, to: target, back: back.contains(key + "\u{0}" + target)))
            }
        }
        let layers = Self.layers(keys: keys, edges: edges.filter { !$0.back })
        let count = (layers.values.max() ?? -1) + 1
        var rows: [[String]] = Array(repeating: [], count: count)
        var slots: [String: Int] = [:]
        for layer in 0..<count {
            // Order a layer by the mean slot of its predecessors, then by key.
            let members = keys.filter { layers[$0] == layer }
            func weight(_ key: String) -> Double {
                let from = edges.filter { $0.to == key && !$0.back }.compactMap { slots[$0.from] }
                return from.isEmpty ? Double.infinity : Double(from.reduce(0, +)) / Double(from.count)
            }
            rows[layer] = members.sorted { (weight($0), $0) < (weight($1), $1) }
            for (slot, key) in rows[layer].enumerated() { slots[key] = slot }
        }
        let widest = rows.map(\.count).max() ?? 0
        let step = Self.boxWidth + Self.gapX
        width = max(widest, 1) * step - Self.gapX + 2 * Self.margin
        height = max(count, 1) * (Self.boxHeight + Self.gapY) - Self.gapY + 2 * Self.margin
        var boxes: [Box] = []
        for (layer, row) in rows.enumerated() {
            // Centre each layer under the widest one.
            let offset = (widest - row.count) * step / 2
            for (slot, key) in row.enumerated() {
                guard let node = byKey[key] else { continue }
                let y = Self.margin + layer * (Self.boxHeight + Self.gapY)
                boxes.append(Box(node: node, layer: layer, slot: slot, x: Self.margin + offset + slot * step, y: y))
            }
        }
        self.boxes = boxes
        self.edges = edges
    }

    /// The nodes of a flow's `nodes` object (`{key: {type, name, links}}`); links are keys or
    /// `{key, filter}`.
    static func nodes(of value: JSONValue?) -> [Node] {
        guard case .object(let members)? = value else { return [] }
        return members.keys.sorted().map { key in
            let node = members[key] ?? .null
            let links: [String] = (node["links"]?.arrayValue ?? []).compactMap { link in link.stringValue ?? link["key"]?.stringValue }
            return Node(key: key, name: node["name"]?.stringValue, type: node["type"]?.stringValue ?? "?", links: links)
        }
    }

    /// The links that close a cycle, found by a depth-first walk from the nodes no link points
    /// at, then from any node not reached (as `from\0to`).
    private static func backLinks(keys: [String], byKey: [String: Node]) -> Set<String> {
        var state: [String: Bool] = [:]  // false: on the walk's path; true: done
        var back: Set<String> = []
        let targets = Set(byKey.values.flatMap(\.links))
        let starts = keys.filter { !targets.contains($0) } + keys
        for start in starts where state[start] == nil {
            // An explicit stack: (node, index of the next link to follow).
            var stack: [(String, Int)] = [(start, 0)]
            state[start] = false
            while let top = stack.last {
                let (key, index) = top
                let links = (byKey[key]?.links ?? []).filter { byKey[$0] != nil }
                guard index < links.count else {
                    state[key] = true
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].1 += 1
                let next = links[index]
                switch state[next] {
                case nil:
                    state[next] = false
                    stack.append((next, 0))
                case false?: back.insert(key + "\u{0}" + next)
                case true?: break
                }
            }
        }
        return back
    }

    /// Each node's layer: its longest path from a node without incoming forward edges.
    private static func layers(keys: [String], edges: [Edge]) -> [String: Int] {
        var incoming: [String: Int] = Dictionary(uniqueKeysWithValues: keys.map { ($0, 0) })
        for edge in edges { incoming[edge.to, default: 0] += 1 }
        var layer: [String: Int] = [:]
        var ready = keys.filter { incoming[$0] == 0 }
        for key in ready { layer[key] = 0 }
        while !ready.isEmpty {
            let key = ready.removeFirst()
            for edge in edges where edge.from == key {
                layer[edge.to] = max(layer[edge.to] ?? 0, (layer[key] ?? 0) + 1)
                incoming[edge.to, default: 0] -= 1
                if incoming[edge.to] == 0 { ready.append(edge.to) }
            }
        }
        // Without back edges every node is reached; keep any other at the top all the same.
        for key in keys where layer[key] == nil { layer[key] = 0 }
        return layer
    }
}
