import Hummingbird

/// The request context every Switchyard route and middleware receives.
///
/// It allows bodies up to the largest request limit any route accepts; the effective limit
/// (`MAX_REQUEST_SIZE_MB`, 10 MB by default) is enforced earlier by ``RequestSizeLimitMiddleware``.
package struct SwitchyardRequestContext: RequestContext {
    /// Hummingbird's own per-request storage.
    package var coreContext: CoreRequestContextStorage

    /// Creates the context for one request.
    /// - Parameter source: Where the request came from.
    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Bodies are limited by ``RequestSizeLimitMiddleware`` before any route decodes them.
    package var maxUploadSize: Int { Int(Int32.max) }
}
