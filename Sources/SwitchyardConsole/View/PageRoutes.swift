import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardHTTP

/// Registers pages behind sign-in and turns what they answer into responses: a page inside the
/// layout, a redirect with a one-time notice, a download, or a page that says why the request
/// failed (the API's message, or a banner when the engine cannot be reached).
struct PageRoutes {
    /// A page handler.
    typealias Handler = @Sendable (PageRequest) async throws -> PageResult

    /// The notice cookie's name: a one-time message for the page after a redirect.
    static let noticeCookie = "switchyard_console_notice"

    /// The group behind the session middleware.
    let group: RouterGroup<SwitchyardRequestContext>
    /// The console.
    let console: Console

    /// A page read.
    func get(_ path: String, _ handler: @escaping Handler) {
        let console = console
        group.get(RouterPath(path)) { request, context in try await Self.answer(console, request, context, handler) }
    }

    /// A form post (the middleware checked the CSRF token and the role first).
    func post(_ path: String, _ handler: @escaping Handler) {
        let console = console
        console.forms.add(path)
        group.post(RouterPath(path)) { request, context in try await Self.answer(console, request, context, handler) }
    }

    private static func answer(
        _ console: Console, _ request: Request, _ context: SwitchyardRequestContext, _ handler: Handler
    ) async throws -> Response {
        guard let user = context.consoleSignIn else { return console.responses.redirect(to: "/login") }
        let page = PageRequest(console: console, request: request, context: context, user: user)
        let notice = Self.notice(in: request)
        do {
            var response = try render(try await handler(page), page, notice: notice)
            if notice != nil, response.headers[.setCookie] == nil {
                response.headers[.setCookie] = "\(noticeCookie)=; Path=\(console.settings.basePath); Max-Age=0; HttpOnly; SameSite=Lax"
            }
            return response
        } catch let failure as PageFailure {
            return failed(failure, page)
        } catch let problem as APIProblem {
            return failed(.problem(problem), page)
        }
    }

    /// A result as a response.
    static func render(_ result: PageResult, _ page: PageRequest, notice: String?) throws -> Response {
        let console = page.console
        switch result {
        case .view(let view):
            var values = view.values
            values["base"] = console.settings.basePath
            values["csrf"] = page.user.csrfToken
            values["canChange"] = page.role.canChange
            values["isAdmin"] = page.role == .admin
            let body = console.templates.render(view.template, values)
            let html = console.layout.page(
                title: view.title, body: body, user: page.user, section: view.section, notice: notice, script: view.script)
            return console.responses.html(html, status: view.status)
        case .redirect(let path, let notice):
            var response = console.responses.redirect(to: path)
            if let notice {
                let value = notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                response.headers[.setCookie] = "\(noticeCookie)=\(value); Path=\(console.settings.basePath); Max-Age=60; HttpOnly; SameSite=Lax"
            }
            return response
        case .download(let file):
            var headers = HTTPFields()
            headers[.contentType] = file.contentType
            let name = (file.filename ?? "download").filter { $0.isASCII && $0 != "\"" && $0 != "\\" }
            headers[.contentDisposition] = "attachment; filename=\"\(name)\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.body)))
        }
    }

    /// The page for a failure: the API's message with its status, or a 503 banner when the
    /// engine cannot be reached.
    static func failed(_ failure: PageFailure, _ page: PageRequest) -> Response {
        let console = page.console
        switch failure {
        case .unreachable(let message):
            page.context.logger.warning("console: \(message)")
            let html = console.layout.page(
                title: "Engine unavailable", body: "<p>Try again in a moment. If this lasts, check that the api role is running.</p>",
                user: page.user, banner: ("The engine API cannot be reached.", message.prefix(1).uppercased() + message.dropFirst() + "."))
            return console.responses.html(html, status: .serviceUnavailable)
        case .problem(let problem):
            let title = problem.status == 404 ? "Not found" : problem.status == 403 ? "Not allowed" : "Something went wrong"
            let body = "<p class=\"error\" role=\"alert\">\(HTML.escape(problem.sentence))</p>"
                + "<p><a href=\"\(HTML.escape(console.settings.url("/")))\">Back to the overview</a></p>"
            let html = console.layout.page(title: title, body: body, user: page.user)
            return console.responses.html(html, status: HTTPResponse.Status(code: max(400, min(problem.status, 599))))
        }
    }

    /// The one-time notice a redirect left, if any.
    static func notice(in request: Request) -> String? {
        let text = ConsoleResponses.cookie(noticeCookie, in: request)?.removingPercentEncoding ?? ""
        return text.isEmpty ? nil : String(text.prefix(300))
    }
}
