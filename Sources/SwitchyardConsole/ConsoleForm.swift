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
        for (name, value) in FormURLEncoding.decode(text) where fields[name] == nil {
            fields[name] = value
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
