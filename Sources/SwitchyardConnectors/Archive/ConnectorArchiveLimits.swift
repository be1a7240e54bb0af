/// Bounds that an uploaded connector archive (and a connector folder) must stay within.
///
/// Every limit is checked twice where it can be: first against the sizes the archive declares,
/// then against the bytes actually produced while inflating, which stops as soon as a limit is
/// passed (headers are never trusted).
package struct ConnectorArchiveLimits: Sendable, Hashable {
    /// The largest archive accepted, in bytes (compressed size of the whole upload).
    package var maxArchiveBytes: Int
    /// The largest total of all unpacked files, in bytes.
    package var maxUncompressedBytes: Int
    /// The most entries (files and folders) an archive may hold.
    package var maxEntries: Int
    /// The largest uncompressed-to-compressed size ratio of one entry.
    package var maxCompressionRatio: Int
    /// Entries that unpack to at most this many bytes are exempt from the ratio check
    /// (small, repetitive text legitimately compresses very well).
    package var ratioCheckThresholdBytes: Int
    /// The most YAML nodes one file may hold once aliases are expanded (stops "billion laughs").
    package var maxYAMLNodesPerFile: Int

    /// Creates limits.
    /// - Parameters:
    ///   - maxArchiveBytes: Largest archive, in bytes.
    ///   - maxUncompressedBytes: Largest unpacked total, in bytes.
    ///   - maxEntries: Most entries.
    ///   - maxCompressionRatio: Largest ratio of one entry.
    ///   - ratioCheckThresholdBytes: Size under which the ratio is not checked.
    ///   - maxYAMLNodesPerFile: Most YAML nodes per file.
    package init(
        maxArchiveBytes: Int = 10 * 1024 * 1024,
        maxUncompressedBytes: Int = 50 * 1024 * 1024,
        maxEntries: Int = 1_000,
        maxCompressionRatio: Int = 100,
        ratioCheckThresholdBytes: Int = 64 * 1024,
        maxYAMLNodesPerFile: Int = 100_000
    ) {
        self.maxArchiveBytes = maxArchiveBytes
        self.maxUncompressedBytes = maxUncompressedBytes
        self.maxEntries = maxEntries
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioCheckThresholdBytes = ratioCheckThresholdBytes
        self.maxYAMLNodesPerFile = maxYAMLNodesPerFile
    }

    /// The defaults: 10 MiB archive, 50 MiB unpacked, 1,000 entries, ratio 100 above 64 KiB.
    package static let `default` = ConnectorArchiveLimits()
}
