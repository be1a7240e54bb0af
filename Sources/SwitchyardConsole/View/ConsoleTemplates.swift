import Foundation
import Mustache
import SwitchyardCore

/// The console's page templates: the `.mustache` files in the package's `Templates` folder,
/// loaded once at start. `{{name}}` escapes HTML; `{{{name}}}` is kept for values the console
/// built itself from escaped parts (server-rendered SVG, nested page content).
package struct ConsoleTemplates: Sendable {
    private let library: MustacheLibrary

    /// Loads the templates shipped with the package.
    /// - Throws: A description of the first template that does not parse (a packaging bug).
    package init() throws {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Templates") else {
            throw SwitchyardError(.internal, "the console's templates are missing from the package's resources")
        }
        try self.init(folder: folder)
    }

    /// Loads the templates of a folder (tests use the package's).
    init(folder: URL) throws {
        var templates: [String: MustacheTemplate] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            do {
                templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
            } catch {
                throw SwitchyardError(.internal, "console template \(name) does not parse: \(error)")
            }
        }
        guard templates["layout"] != nil else {
            throw SwitchyardError(.internal, "the console's templates are missing from \(folder.path)")
        }
        library = MustacheLibrary(templates: templates)
    }

    /// Renders a template with values (dictionaries, arrays, strings, numbers, booleans; see
    /// ``ViewValue``).
    /// - Precondition: The template exists (the names are the console's own).
    func render(_ name: String, _ values: [String: Any]) -> String {
        guard let text = library.render(values, withTemplate: name) else {
            preconditionFailure("console template \(name) is missing")
        }
        return text
    }
}
