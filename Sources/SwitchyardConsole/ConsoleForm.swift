import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore

/// The fields of a posted form (`application/x-www-form-urlencoded`).
struct ConsoleForm: Sendable {
    /// The largest form the console reads.
    static let maxBytes = 64 * 1024

    private let fields: [String: String]

    /// Parses urlencoded text; a repeated name keeps its first value.
    init(text: String) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        self.fields = fields
    }

    /// Reads a request's form (the body stays readable for what comes after).
    /// - Throws: `too_large` for a form over ``maxBytes``.
    static func read(_ request: inout Request) async throws(SwitchyardError) -> ConsoleForm {
        do {
            let buffer = try await request.collectBody(upTo: maxBytes)
            return ConsoleForm(text: String(buffer: buffer))
        } catch {
            throw SwitchyardError(.tooLarge, "the form is larger than \(maxBytes / 1024) KB")
        }
    }

    /// A field's value; `""` when absent.
    subscript(_ name: String) -> String { fields[name] ?? "" }
}
