import SwitchyardHTTP

/// The frame of every console page: head with the stylesheet, header with the signed-in user
/// and the logout form, and the page's main content.
struct ConsoleLayout: Sendable {
    /// Where the console is served.
    let settings: ConsoleSettings

    /// A whole page.
    /// - Parameters:
    ///   - title: The page title (plain text).
    ///   - body: The main content, already HTML (every value in it escaped).
    ///   - user: The signed-in user, for the header and its logout form.
    func page(title: String, body: String, user: ConsoleSignIn? = nil) -> String {
        var header = "<header><p class=\"brand\"><a href=\"\(HTML.escape(settings.url("/")))\">Switchyard console</a></p>"
        if let user {
            header += """
                <form method="post" action="\(HTML.escape(settings.url("/logout")))" class="logout">\
                \(HTML.hidden("csrf", user.csrfToken))<span>\(HTML.escape(user.email))</span> <button type="submit">Sign out</button></form>
                """
        }
        header += "</header>"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · Switchyard console</title>
            <link rel="stylesheet" href="\(HTML.escape(settings.url("/assets/console.css")))">
            </head>
            <body>
            \(header)
            <main>
            <h1>\(HTML.escape(title))</h1>
            \(body)
            </main>
            </body>
            </html>

            """
    }
}
