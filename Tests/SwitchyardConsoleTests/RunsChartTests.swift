import Foundation
import Testing

@testable import SwitchyardConsole

/// The overview's runs-per-minute chart.
@Suite struct RunsChartTests {
    @Test func oneBarPerBusyMinuteScaledToThePeakWithFailuresStacked() {
        var minutes = Array(repeating: RunsChart.Minute(runs: 0, failed: 0), count: 60)
        minutes[0] = .init(runs: 4, failed: 1)
        minutes[59] = .init(runs: 8, failed: 0)
        let svg = RunsChart.svg(minutes)
        #expect(svg.components(separatedBy: "class=\"ok\"").count - 1 == 2, "a bar per minute with runs")
        #expect(svg.components(separatedBy: "class=\"failed\"").count - 1 == 1, "failures stacked where there are some")
        #expect(svg.contains("role=\"img\"") && svg.contains("<title id=\"runs-chart-title\">12 runs in the last 60 minutes, 1 failed"))
        #expect(svg.contains("height=\"128\" class=\"ok\""), "the busiest minute fills the plot (8 of 8)")
        #expect(svg.contains("height=\"48\" class=\"ok\"") && svg.contains("height=\"16\" class=\"failed\""), "3 ok and 1 failed of 8")
    }

    @Test func anEmptyHourDrawsAxesAndSaysSo() {
        let svg = RunsChart.svg(Array(repeating: .init(runs: 0, failed: 0), count: 60))
        #expect(!svg.contains("<rect"))
        #expect(svg.contains("0 runs in the last 60 minutes, 0 failed; at most 0 in one minute"))
    }
}
