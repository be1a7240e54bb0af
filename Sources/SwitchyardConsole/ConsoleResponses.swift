import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Console responses: HTML pages, redirects and the session cookie.
struct ConsoleResponses: Sendable {
    /// The session cookie's name.
    static let cookieName = "switchyard_console"

    /// Where the console is served.
    let settings: ConsoleSettings

    /// An HTML page.
    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 303 redirect to a console path (under the base path).
    func redirect(to path: String, cookie: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.location] = settings.url(path)
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    /// The `Set-Cookie` value that stores a session: HttpOnly, SameSite=Lax, scoped to the base
    /// path, Secure when the console is public over https. No Max-Age: the server ends sessions.
    func sessionCookie(_ value: String) -> String {
        "\(Self.cookieName)=\(value); Path=\(settings.basePath); HttpOnly; SameSite=Lax" + (settings.secureCookies ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that removes the session cookie.
    func clearedCookie() -> String {
        "\(Self.cookieName)=; Path=\(settings.basePath); Max-Age=0; HttpOnly; SameSite=Lax" + (settings.secureCookies ? "; Secure" : "")
    }

    /// The session cookie's value in a request, if it carries one.
    static func sessionCookie(in request: Request) -> String? { cookie(cookieName, in: request) }

    /// A cookie's value in a request, if it carries one.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name {
                    return String(pair[1]).trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }
}
