import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardConsole

/// The flow graph's layered layout and its SVG: a chain, a branch, inputs with cycles and
/// dangling links (which must not hang the layout), and escaping.
@Suite struct FlowGraphLayoutTests {
    typealias Node = FlowGraphLayout.Node

    func layer(_ layout: FlowGraphLayout, _ key: String) -> Int? { layout.boxes.first { $0.node.key == key }?.layer }

    @Test func aChainOfThreeNodesTakesThreeLayersAndTwoEdges() {
        let layout = FlowGraphLayout([
            Node(key: "c", name: nil, type: "transform", links: []), Node(key: "a", name: "Start", type: "api-trigger", links: ["b"]),
            Node(key: "b", name: nil, type: "filter", links: ["c"]),
        ])
        #expect([layer(layout, "a"), layer(layout, "b"), layer(layout, "c")] == [0, 1, 2])
        #expect(layout.edges == [.init(from: "a", to: "b", back: false), .init(from: "b", to: "c", back: false)])
        let ys = layout.boxes.map(\.y)
        #expect(ys == ys.sorted() && Set(ys).count == 3, "each layer lower than the one before")
        #expect(Set(layout.boxes.map(\.x)).count == 1, "one node per layer, all centred")
        #expect(layout.height > 3 * FlowGraphLayout.boxHeight && layout.width >= FlowGraphLayout.boxWidth)
    }

    @Test func aBranchPutsBothTargetsInOneLayerSideBySideAndAJoinBelowBoth() {
        let layout = FlowGraphLayout([
            Node(key: "start", name: nil, type: "api-trigger", links: ["left", "right"]),
            Node(key: "left", name: nil, type: "transform", links: ["join"]),
            Node(key: "right", name: nil, type: "filter", links: ["deep"]), Node(key: "deep", name: nil, type: "transform", links: ["join"]),
            Node(key: "join", name: nil, type: "transform", links: []),
        ])
        #expect(layer(layout, "left") == 1 && layer(layout, "right") == 1)
        #expect(layer(layout, "join") == 3, "the longest path decides: start → right → deep → join")
        let left = layout.boxes.first { $0.node.key == "left" }, right = layout.boxes.first { $0.node.key == "right" }
        #expect(left?.y == right?.y && left?.x != right?.x)
        #expect(layout.edges.count == 5 && layout.edges.allSatisfy { !$0.back })
        #expect(layout.width >= 2 * FlowGraphLayout.boxWidth + FlowGraphLayout.gapX)
    }

    @Test func cyclesSelfLinksAndUnknownKeysDoNotHangTheLayout() {
        let layout = FlowGraphLayout([
            Node(key: "a", name: nil, type: "api-trigger", links: ["b", "missing"]), Node(key: "b", name: nil, type: "transform", links: ["c", "b"]),
            Node(key: "c", name: nil, type: "transform", links: ["a", "b"]),
        ])
        #expect(layout.boxes.count == 3)
        #expect(layout.edges.filter(\.back).count == 3, "c → a, c → b and b → b close cycles")
        #expect(!layout.edges.contains { $0.to == "missing" }, "a link to an unknown node is not drawn")
        #expect([layer(layout, "a"), layer(layout, "b"), layer(layout, "c")] == [0, 1, 2])

        // A cycle with no node outside it (no start) still gets a layer for each node.
        let ring = FlowGraphLayout([
            Node(key: "x", name: nil, type: "t", links: ["y"]), Node(key: "y", name: nil, type: "t", links: ["x"]),
        ])
        #expect(ring.boxes.count == 2 && ring.edges.filter(\.back).count == 1)
        #expect(FlowGraphLayout([]).boxes.isEmpty)
    }

    @Test func theSVGHasATitleALabelABoxPerNodeAnArrowPerLinkAndEscapesEveryText() {
        let nodes = FlowGraphLayout.nodes(of: [
            "start": ["type": "api-trigger", "name": "<script>alert(1)</script>", "links": ["next", ["key": "other", "filter": true]]],
            "next": ["type": "transform"], "other": ["type": "a\"b"],
        ])
        #expect(nodes.map(\.key) == ["next", "other", "start"] && nodes[2].links == ["next", "other"])
        let svg = FlowGraphSVG.render(FlowGraphLayout(nodes), label: "Graph of <flow>")
        #expect(svg.hasPrefix("<svg") && svg.contains("role=\"img\"") && svg.contains("aria-label=\"Graph of &lt;flow&gt;\""))
        #expect(svg.contains("<title>Graph of &lt;flow&gt;</title>"))
        #expect(svg.components(separatedBy: "<g class=\"flow-node\"").count - 1 == 3)
        #expect(svg.components(separatedBy: "class=\"flow-edge\"").count - 1 == 2)
        #expect(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("a&quot;b"))
    }
}
