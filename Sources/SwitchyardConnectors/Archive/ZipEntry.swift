/// One record of a ZIP central directory, as read from the bytes (nothing here is trusted yet).
struct ZipEntry: Sendable, Hashable {
    /// The name as stored, decoded as UTF-8.
    var name: String
    /// The stored name bytes, compared with the local header's copy.
    var rawName: [UInt8]
    /// "Version made by": the high byte is the host system (3 = Unix).
    var versionMadeBy: UInt16
    /// General purpose bit flags (bit 0: encrypted, bit 6: strong encryption, bit 11: UTF-8).
    var flags: UInt16
    /// Compression method (0 stored, 8 deflate).
    var method: UInt16
    /// The CRC-32 of the uncompressed bytes, as declared.
    var crc32: UInt32
    /// Declared compressed size.
    var compressedSize: Int
    /// Declared uncompressed size.
    var uncompressedSize: Int
    /// External file attributes (Unix mode in the high 16 bits when made on Unix).
    var externalAttributes: UInt32
    /// Offset of the local file header.
    var localHeaderOffset: Int

    /// The Unix file mode when the archive was made on a Unix-like host and recorded one.
    var unixMode: UInt32? {
        let host = versionMadeBy >> 8
        guard host == 3 || host == 19 else { return nil }
        let mode = externalAttributes >> 16
        return mode == 0 ? nil : mode
    }

    /// Whether the entry is a folder (trailing slash, a folder mode, or the MS-DOS folder bit).
    var isDirectory: Bool {
        if name.hasSuffix("/") { return true }
        if let mode = unixMode { return mode & 0o170000 == 0o040000 }
        return externalAttributes & 0x10 != 0
    }

    /// Whether bit 0 or bit 6 of the flags says the entry is encrypted (or the method is AES).
    var isEncrypted: Bool { flags & 0x0001 != 0 || flags & 0x0040 != 0 || method == 99 }
}
