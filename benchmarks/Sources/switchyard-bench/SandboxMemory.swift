import Foundation

/// Memory of the sandbox process trees under a parent: resident (RSS) and proportional (PSS,
/// which splits shared pages such as Node's binary between the processes mapping them).
enum SandboxMemory {
    struct Measurement {
        var trees: Int
        var rssPerTree: Double
        var pssPerTree: Double
    }

    static func measure(parent: Int32) -> Measurement {
        var children: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { continue }
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            if fields.count > 1, let ppid = Int32(fields[1]) { children[ppid, default: []].append(pid) }
        }
        let roots = children[parent] ?? []
        var rss = 0.0
        var pss = 0.0
        for root in roots {
            var stack = [root]
            while let pid = stack.popLast() {
                let (r, p) = rollup(pid)
                rss += r
                pss += p
                stack += children[pid] ?? []
            }
        }
        let count = max(roots.count, 1)
        return Measurement(trees: roots.count, rssPerTree: rss / Double(count), pssPerTree: pss / Double(count))
    }

    /// RSS and PSS of one process in MB, from /proc/PID/smaps_rollup.
    static func rollup(_ pid: Int32) -> (Double, Double) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
        }
        return (field("Rss"), field("Pss"))
    }
}
