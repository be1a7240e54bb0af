import Foundation

/// Benchmarks that need Switchyard's libraries in-process. Each prints tab-separated rows for
/// `scripts/bench`: benchmark, case, metric, median, spread, target.
@main enum BenchMain {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first {
        case "code-runner":
            try await CodeRunnerBenchmark.run()
        case "store":
            try await StoreBenchmark.run()
            exit(0)
        case "jobs":
            try await JobsBenchmark.run()
            exit(0)
        default:
            FileHandle.standardError.write(Data("usage: switchyard-bench code-runner|store|jobs\n".utf8))
            exit(2)
        }
    }
}

/// Percentiles of a sample.
struct Sample {
    var values: [Double]

    func percentile(_ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[index]
    }
}

/// Prints one row.
func row(_ benchmark: String, _ scenario: String, _ metric: String, _ value: String, _ spread: String, _ target: String) {
    print([benchmark, scenario, metric, value, spread, target].joined(separator: "\t"))
}

func format(_ value: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}
