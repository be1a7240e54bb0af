import Crypto
import Foundation

/// One file the UI serves as it is: its bytes, media type and a content hash that names its
/// version in URLs (`?v=`) and in the `ETag`.
struct UIAsset: Sendable {
    /// The bytes.
    let bytes: [UInt8]
    /// The media type, with the charset.
    let contentType: String
    /// The first 16 hexadecimal digits of the SHA-256 of the bytes.
    let hash: String

    /// Creates an asset and hashes it.
    init(bytes: [UInt8], contentType: String) {
        self.bytes = bytes
        self.contentType = contentType
        hash = SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The `ETag`.
    var etag: String { "\"\(hash)\"" }

    /// The text, for assets inlined into a page.
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
