import HTTPTypes

/// The security headers of the UI's pages.
enum UIHeaders {
    /// The content security policy of a page that the given origins may frame: scripts, styles,
    /// images and API calls from this deployment only, forms posted nowhere else.
    static func contentSecurityPolicy(frameAncestors origins: [String]) -> String {
        let ancestors = origins.isEmpty ? "'none'" : origins.joined(separator: " ")
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors \(ancestors)"
    }

    /// The headers of an HTML page.
    static func page(frameAncestors origins: [String]) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy(frameAncestors: origins)
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return headers
    }
}
