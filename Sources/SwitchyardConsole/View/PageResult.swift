import Foundation
import HTTPTypes

/// What a page handler answers.
enum PageResult: Sendable {
    /// A page: its title, its template and the template's values.
    case view(PageView)
    /// After a change: go to a console path and show a one-time notice there.
    case redirect(String, notice: String?)
    /// A download from the engine (a connector package).
    case download(EngineResponse)
}

/// A page to render inside the layout.
struct PageView: @unchecked Sendable {
    /// The title (plain text).
    var title: String
    /// The template of the page's content.
    var template: String
    /// The template's values. Layout values (`base`, `csrf`, `canChange`) are added.
    var values: [String: Any]
    /// The section the page belongs to (a path of ``ConsoleLayout/sections``).
    var section: String
    /// The HTTP status (a form with errors answers 4xx).
    var status: HTTPResponse.Status = .ok
    /// Whether the page loads the console's script.
    var script = false

    /// Creates a page.
    init(title: String, template: String, section: String, values: [String: Any] = [:], status: HTTPResponse.Status = .ok, script: Bool = false) {
        self.title = title
        self.template = template
        self.section = section
        self.values = values
        self.status = status
        self.script = script
    }
}
