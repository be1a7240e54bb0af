import SwitchyardCore

/// Why an uploaded connector archive was refused before any of its files were looked at.
///
/// The message always names the entry at fault when there is one, e.g.
/// `archive entry "../evil": path leaves the package folder ("..")`.
package struct ConnectorArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of refusal; decides the HTTP status at the edge.
    package enum Reason: String, Sendable, Hashable {
        /// The bytes are not a ZIP archive this reader accepts (corrupt, ZIP64, multi-disk, ...).
        case malformed
        /// An entry's path is absolute, escapes the folder, has backslashes or a drive letter.
        case unsafePath
        /// A symlink, device, FIFO or other entry that is not a regular file or folder.
        case unsupportedEntryType
        /// An entry is encrypted.
        case encrypted
        /// Two entries have the same name (or a file and a folder do).
        case duplicateEntry
        /// Too many entries.
        case tooManyEntries
        /// The archive, the unpacked total or one entry is over a limit, or an entry's
        /// compression ratio is absurd (zip bomb).
        case tooLarge
    }

    /// The kind of refusal.
    package var reason: Reason
    /// The entry's name as stored in the archive, when one entry is at fault.
    package var entry: String?
    /// What is wrong, for the person who uploaded the archive.
    package var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - reason: The kind of refusal.
    ///   - entry: The entry at fault.
    ///   - message: What is wrong with it.
    package init(_ reason: Reason, entry: String? = nil, _ message: String) {
        self.reason = reason
        self.entry = entry
        self.message = message
    }

    /// The full text: `archive entry "NAME": MESSAGE`, or `archive: MESSAGE`.
    package var description: String {
        if let entry { return "archive entry \"\(entry)\": \(message)" }
        return "archive: \(message)"
    }

    /// The error as the API reports it: `too_large` for size limits, `bad_request` otherwise.
    package var switchyardError: SwitchyardError {
        var data: [String: String] = ["reason": reason.rawValue]
        if let entry { data["entry"] = entry }
        let key: SwitchyardError.Key = reason == .tooLarge || reason == .tooManyEntries ? .tooLarge : .badRequest
        return SwitchyardError(key, "The connector archive was refused: \(description)", data: data)
    }
}
