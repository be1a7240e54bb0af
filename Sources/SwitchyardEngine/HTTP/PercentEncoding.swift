/// RFC 3986 percent-encoding, byte by byte over UTF-8: everything but the unreserved set
/// (`A–Z a–z 0–9 - . _ ~`) is encoded, so non-ASCII letters are too. OAuth 1.0 signatures
/// (RFC 5849 §3.6) need exactly this, and query strings are safe with it.
package enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// `text` percent-encoded.
    package static func encode(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `key=value&…` with both sides encoded.
    package static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}

extension PercentEncoding {
    /// `url` with query parameters added, percent-encoded.
    package static func appending(_ url: String, _ parameters: [(String, String)]) -> String {
        url + (url.contains("?") ? "&" : "?") + query(parameters)
    }
}
