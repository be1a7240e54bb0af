/// Where JSON text stops being JSON: the byte offset (from 0) and why, so an editor can point
/// at the line and column.
package struct JSONSyntaxError: Error, Sendable, Equatable {
    /// The UTF-8 byte offset where parsing stopped.
    package var offset: Int
    /// What is wrong there.
    package var reason: String

    /// Creates the error.
    package init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}

extension JSONValue {
    /// Parses JSON text (any value at top level), naming where it stops being JSON.
    /// - Throws: ``JSONSyntaxError`` with the byte offset and the reason.
    package static func parseLocating(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        do {
            return try JSONReader.parse(text)
        } catch {
            throw JSONSyntaxError(offset: error.offset, reason: error.reason)
        }
    }
}
