/// A bound value in a job-queue statement (both backends bind these).
package enum SQLArgument: Sendable, Equatable {
    /// Text, or NULL.
    case text(String?)
    /// A 64-bit integer, or NULL.
    case int(Int64?)
}

extension SQLArgument: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    package init(stringLiteral value: String) { self = .text(value) }
    package init(integerLiteral value: Int64) { self = .int(value) }
}
