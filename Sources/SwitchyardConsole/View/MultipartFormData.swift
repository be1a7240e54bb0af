import Foundation
import SwitchyardCore

/// A `multipart/form-data` body (RFC 7578, framing of RFC 2046) as a browser's upload form sends
/// it: the parts, each with its field name, file name, media type and bytes.
///
/// The reader is strict about framing and lenient where browsers differ: a preamble before the
/// first boundary and an epilogue after the closing one are ignored, header names are
/// case-insensitive, and parameter values may be quoted (with `\"` escapes; `;` inside quotes
/// stays in the value) or bare. Every refusal is `bad_request` with a message naming what is wrong.
struct MultipartFormData: Sendable {
    /// One part of the body.
    struct Part: Sendable, Equatable {
        /// The form field's name (`name` of `Content-Disposition`).
        var name: String
        /// The chosen file's name (`filename`), if the part is a file; `""` when no file was chosen.
        var filename: String?
        /// The part's `Content-Type`, if given.
        var contentType: String?
        /// The part's bytes.
        var body: [UInt8]
    }

    /// The parts, in body order.
    let parts: [Part]

    /// Reads a body with the boundary of its `Content-Type` header.
    /// - Throws: `bad_request` when the header is not `multipart/form-data` with a boundary, or
    ///   the body is not framed by that boundary.
    init(body: [UInt8], contentType: String) throws(SwitchyardError) {
        try self.init(body: body, boundary: try Self.boundary(of: contentType))
    }

    /// Reads a body framed by `boundary`.
    /// - Throws: `bad_request` naming the fault (no opening boundary, no closing boundary, a part
    ///   without headers, without `Content-Disposition: form-data` or without a name).
    init(body: [UInt8], boundary: String) throws(SwitchyardError) {
        parts = try MultipartFormDataReader(body: body, boundary: boundary).read()
    }

    /// The first part named `name`, or `nil`.
    func part(named name: String) -> Part? {
        parts.first { $0.name == name }
    }

    /// The `boundary` parameter of a `multipart/form-data` Content-Type.
    /// - Throws: `bad_request` for another media type, a missing or empty boundary, or one longer
    ///   than the 70 characters RFC 2046 allows.
    static func boundary(of contentType: String) throws(SwitchyardError) -> String {
        let pieces = HeaderParameters.split(contentType)
        guard let type = pieces.first?.lowercased(), type == "multipart/form-data" else {
            let given = pieces.first.flatMap { $0.isEmpty ? nil : $0 } ?? "a body without a Content-Type"
            throw SwitchyardError(.badRequest, "the upload must be sent as multipart/form-data, not \(given)")
        }
        guard let boundary = HeaderParameters.value("boundary", in: pieces.dropFirst()) else {
            throw SwitchyardError(.badRequest, "the multipart/form-data Content-Type has no boundary parameter")
        }
        guard !boundary.isEmpty, boundary.utf8.count <= 70 else {
            throw SwitchyardError(.badRequest, "the multipart/form-data boundary must be 1 to 70 characters long")
        }
        return boundary
    }
}

/// Walks a multipart body from delimiter to delimiter (see ``MultipartFormData``).
private struct MultipartFormDataReader {
    let body: [UInt8]
    let boundary: String
    /// `--boundary`: the first delimiter (at the start of the body or after a preamble line).
    let dash: [UInt8]
    /// `CRLF--boundary`: every later delimiter (the CRLF belongs to the delimiter, not the part).
    let delimiter: [UInt8]

    init(body: [UInt8], boundary: String) {
        self.body = body
        self.boundary = boundary
        dash = Array("--\(boundary)".utf8)
        delimiter = [13, 10] + dash
    }

    func read() throws(SwitchyardError) -> [MultipartFormData.Part] {
        var position: Int
        if body.starts(with: dash) {
            position = dash.count
        } else if let found = Bytes.find(delimiter, in: body, from: 0) {
            position = found + delimiter.count
        } else {
            throw SwitchyardError(.badRequest, "the multipart/form-data body does not contain its boundary \"\(boundary)\"")
        }
        var parts: [MultipartFormData.Part] = []
        while true {
            if Bytes.has([45, 45], in: body, at: position) { return parts }  // "--": the closing delimiter.
            position = try lineEnd(after: position, what: "a boundary line")
            guard let next = Bytes.find(delimiter, in: body, from: position) else {
                throw SwitchyardError(
                    .badRequest, "the multipart/form-data body ends before its closing boundary (it may have been cut off)")
            }
            let headerEnd: Int
            let headerText: String
            if Bytes.has([13, 10], in: body, at: position) {  // No headers at all.
                headerEnd = position + 2
                headerText = ""
            } else {
                // The blank line after the headers may share its CRLF with the next delimiter (an empty part).
                guard let end = Bytes.find([13, 10, 13, 10], in: body, from: position), end + 2 <= next else {
                    throw SwitchyardError(.badRequest, "part \(parts.count + 1) of the multipart/form-data body has no blank line after its headers")
                }
                headerEnd = end + 4
                headerText = String(decoding: body[position..<end], as: UTF8.self)
            }
            var part = try Self.part(headers: headerText, number: parts.count + 1)
            part.body = next > headerEnd ? Array(body[headerEnd..<next]) : []
            parts.append(part)
            position = next + delimiter.count
        }
    }

    /// Skips transport padding (spaces and tabs) and the CRLF that ends a boundary line.
    private func lineEnd(after start: Int, what: String) throws(SwitchyardError) -> Int {
        var index = start
        while index < body.count, body[index] == 32 || body[index] == 9 { index += 1 }
        guard Bytes.has([13, 10], in: body, at: index) else {
            throw SwitchyardError(.badRequest, "\(what) of the multipart/form-data body does not end with CRLF")
        }
        return index + 2
    }

    /// A part's name, file name and type from its header block.
    private static func part(headers: String, number: Int) throws(SwitchyardError) -> MultipartFormData.Part {
        var disposition: [String]?
        var contentType: String?
        for line in headers.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else {
                throw SwitchyardError(.badRequest, "part \(number) of the multipart/form-data body has a header line without a colon")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if name == "content-disposition" { disposition = HeaderParameters.split(value) }
            if name == "content-type" { contentType = value }
        }
        guard let disposition, disposition.first?.lowercased() == "form-data" else {
            throw SwitchyardError(.badRequest, "part \(number) of the multipart/form-data body has no Content-Disposition: form-data header")
        }
        guard let name = HeaderParameters.value("name", in: disposition.dropFirst()) else {
            throw SwitchyardError(.badRequest, "part \(number) of the multipart/form-data body has no field name")
        }
        let filename = HeaderParameters.value("filename", in: disposition.dropFirst())
        return MultipartFormData.Part(name: name, filename: filename, contentType: contentType, body: [])
    }
}

/// `type; name=value; name="quoted; value"` header values.
enum HeaderParameters {
    /// Splits at the semicolons outside quotes; each piece trimmed.
    static func split(_ value: String) -> [String] {
        var pieces: [Substring] = []
        var start = value.startIndex
        var quoted = false
        var escaped = false
        var index = value.startIndex
        while index < value.endIndex {
            let character = value[index]
            if escaped {
                escaped = false
            } else if quoted, character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";", !quoted {
                pieces.append(value[start..<index])
                start = value.index(after: index)
            }
            index = value.index(after: index)
        }
        pieces.append(value[start...])
        return pieces.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The value of the parameter `name` (case-insensitive) among `pieces`, unquoted; `nil`
    /// when absent.
    static func value(_ name: String, in pieces: ArraySlice<String>) -> String? {
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            guard piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            let raw = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard raw.hasPrefix("\""), raw.count >= 2, raw.hasSuffix("\"") else { return raw }
            var text = ""
            var escaped = false
            for character in raw.dropFirst().dropLast() {
                if !escaped, character == "\\" {
                    escaped = true
                    continue
                }
                escaped = false
                text.append(character)
            }
            return text
        }
        return nil
    }
}

/// Byte searches.
private enum Bytes {
    /// Whether `needle` is at `index` of `haystack`.
    static func has(_ needle: [UInt8], in haystack: [UInt8], at index: Int) -> Bool {
        index >= 0 && index + needle.count <= haystack.count && haystack[index..<(index + needle.count)].elementsEqual(needle)
    }

    /// The first index at or after `start` where `needle` is, or `nil`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = max(start, 0)
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, has(needle, in: haystack, at: index) { return index }
            index += 1
        }
        return nil
    }
}
