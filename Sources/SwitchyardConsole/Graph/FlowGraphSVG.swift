/// A flow's graph as an SVG drawing built on the server: a box per node (key, name, type), an
/// arrow per link, a `<title>` and an `aria-label` for screen readers (pages put a text list of
/// the nodes next to it). Every text in it passes through ``HTML/escape(_:)``.
enum FlowGraphSVG {
    /// The longest text a box line shows before it is cut with `…` (the box's `<title>` has it whole).
    static let maxLine = 26

    /// The drawing of a layout.
    /// - Parameters:
    ///   - layout: The placed nodes and edges.
    ///   - label: What the drawing shows, for its title and `aria-label` (plain text).
    static func render(_ layout: FlowGraphLayout, label: String) -> String {
        let width = FlowGraphLayout.boxWidth, height = FlowGraphLayout.boxHeight
        let places = Dictionary(layout.boxes.map { ($0.node.key, $0) }, uniquingKeysWith: { first, _ in first })
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"flow-graph\" role=\"img\" aria-label=\"\(HTML.escape(label))\""
        svg += " viewBox=\"0 0 \(layout.width) \(layout.height)\" width=\"\(layout.width)\" height=\"\(layout.height)\">"
        svg += "<title>\(HTML.escape(label))</title>"
        svg += "<defs><marker id=\"flow-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\""
        svg += " orient=\"auto-start-reverse\">"
        svg += "<path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"flow-arrowhead\"/></marker></defs>"
        for edge in layout.edges {
            guard let from = places[edge.from], let to = places[edge.to] else { continue }
            let x1 = from.x + width / 2, y1 = from.y + height, x2 = to.x + width / 2, y2 = to.y
            let path: String
            if edge.back {
                // A link up (a cycle): around the right side of both boxes.
                let side = max(from.x, to.x) + width + FlowGraphLayout.gapX / 2
                let (fromY, toY) = (from.y + height / 2, to.y + height / 2)
                path = "M \(from.x + width) \(fromY) C \(side) \(fromY), \(side) \(toY), \(to.x + width) \(toY)"
            } else {
                let middle = (y1 + y2) / 2
                path = "M \(x1) \(y1) C \(x1) \(middle), \(x2) \(middle), \(x2) \(y2)"
            }
            svg += "<path class=\"flow-edge\(edge.back ? " flow-edge-back" : "")\" d=\"\(path)\" marker-end=\"url(#flow-arrow)\""
            let (source, target) = (HTML.escape(edge.from), HTML.escape(edge.to))
            svg += " data-from=\"\(source)\" data-to=\"\(target)\"><title>\(source) → \(target)</title></path>"
        }
        for box in layout.boxes {
            let node = box.node
            let whole = [node.key, node.name, node.type].compactMap { $0 }.joined(separator: " · ")
            svg += "<g class=\"flow-node\" data-key=\"\(HTML.escape(node.key))\"><title>\(HTML.escape(whole))</title>"
            svg += "<rect x=\"\(box.x)\" y=\"\(box.y)\" width=\"\(width)\" height=\"\(height)\" rx=\"6\"/>"
            let first = node.name.map { "\(short($0)) (\(short(node.key)))" } ?? short(node.key)
            svg += "<text x=\"\(box.x + 10)\" y=\"\(box.y + 22)\" class=\"flow-node-name\">\(HTML.escape(first))</text>"
            svg += "<text x=\"\(box.x + 10)\" y=\"\(box.y + 42)\" class=\"flow-node-type\">\(HTML.escape(short(node.type)))</text></g>"
        }
        return svg + "</svg>"
    }

    /// A text cut to ``maxLine`` characters.
    static func short(_ text: String) -> String {
        text.count <= maxLine ? text : text.prefix(maxLine - 1) + "…"
    }
}
