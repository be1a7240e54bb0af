/// The overview's "runs per minute over the last hour" chart as server-rendered SVG: one bar per
/// minute, oldest on the left, failed runs stacked on top in the error colour, with a title and a
/// text summary for screen readers. Every value in it is a number the console computed.
enum RunsChart {
    /// One minute of the chart.
    struct Minute: Sendable, Equatable {
        /// Runs started in that minute.
        var runs: Int
        /// Of those, runs that failed.
        var failed: Int
    }

    /// The chart's size in user units (it scales with the page).
    static let width = 600
    static let height = 160

    /// The SVG for the minutes, oldest first.
    static func svg(_ minutes: [Minute]) -> String {
        let total = minutes.reduce(0) { $0 + $1.runs }
        let failed = minutes.reduce(0) { $0 + $1.failed }
        let peak = max(1, minutes.map(\.runs).max() ?? 0)
        let plotTop = 12
        let plotBottom = height - 20
        let plotHeight = plotBottom - plotTop
        let slot = Double(width - 40) / Double(max(1, minutes.count))
        let summary =
            "\(total) runs in the last \(minutes.count) minutes, \(failed) failed; at most \(peak == 1 && total == 0 ? 0 : peak) in one minute"
        var parts = [
            "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"runs-chart-title\" "
                + "xmlns=\"http://www.w3.org/2000/svg\">",
            "<title id=\"runs-chart-title\">\(summary)</title>",
            "<line x1=\"36\" y1=\"\(plotBottom)\" x2=\"\(width - 4)\" y2=\"\(plotBottom)\" class=\"axis\"/>",
            "<text x=\"32\" y=\"\(plotTop + 4)\" class=\"label\" text-anchor=\"end\">\(total == 0 ? 0 : peak)</text>",
            "<text x=\"32\" y=\"\(plotBottom)\" class=\"label\" text-anchor=\"end\">0</text>",
            "<text x=\"40\" y=\"\(height - 4)\" class=\"label\">\(minutes.count) min ago</text>",
            "<text x=\"\(width - 4)\" y=\"\(height - 4)\" class=\"label\" text-anchor=\"end\">now</text>",
        ]
        for (index, minute) in minutes.enumerated() where minute.runs > 0 {
            let x = 40 + Double(index) * slot
            let barWidth = max(1, slot - 2)
            let okHeight = Double(plotHeight) * Double(minute.runs - minute.failed) / Double(peak)
            let failedHeight = Double(plotHeight) * Double(minute.failed) / Double(peak)
            let okTop = Double(plotBottom) - okHeight
            parts.append(
                "<rect x=\"\(format(x))\" y=\"\(format(okTop))\" width=\"\(format(barWidth))\" height=\"\(format(okHeight))\" class=\"ok\"/>")
            if minute.failed > 0 {
                parts.append(
                    "<rect x=\"\(format(x))\" y=\"\(format(okTop - failedHeight))\" width=\"\(format(barWidth))\" "
                        + "height=\"\(format(failedHeight))\" class=\"failed\"/>")
            }
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// A number with at most one decimal.
    private static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
