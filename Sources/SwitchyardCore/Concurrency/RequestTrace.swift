/// What identifies the request a piece of work is done for, carried as task-local values from
/// the HTTP pipeline down to the outbound HTTP client, so a request's id appears in the log
/// lines and external API log entries it causes.
package enum RequestTrace {
    /// The id of the API request being served (`X-Request-Id`), or `nil` outside one.
    @TaskLocal package static var requestID: String?
}
