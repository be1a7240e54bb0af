import Foundation
import SwitchyardCore

/// The file of an upload: the whole body for a binary media type (`application/zip`,
/// `application/octet-stream`), or one named part of a `multipart/form-data` body.
enum UploadBody {
    /// The uploaded bytes.
    /// - Parameter field: The form field that carries the file in a multipart body.
    /// - Throws: `bad_request` naming what is missing or malformed.
    static func file(_ request: APIRequest, field: String) throws(SwitchyardError) -> [UInt8] {
        let body = request.rawBody ?? []
        let type = (request.contentType ?? "").lowercased()
        guard type.hasPrefix("multipart/form-data") else {
            guard !body.isEmpty else { throw SwitchyardError(.badRequest, "the request body is empty; send the package as application/zip or multipart/form-data") }
            return body
        }
        guard let boundary = boundary(request.contentType ?? "") else {
            throw SwitchyardError(.badRequest, "the multipart/form-data Content-Type has no boundary parameter")
        }
        guard let part = try MultipartForm.parts(body, boundary: boundary).first(where: { $0.name == field }) else {
            throw SwitchyardError(.badRequest, "the multipart/form-data body has no \(field) field", data: [field: "is required"])
        }
        guard !part.body.isEmpty else { throw SwitchyardError(.badRequest, "the \(field) field is empty", data: [field: "is empty"]) }
        return part.body
    }

    /// The `boundary` parameter of a Content-Type, unquoted.
    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.utf8.count > 70 ? nil : value
        }
        return nil
    }
}

/// A minimal `multipart/form-data` reader (RFC 7578): parts, their field names and bodies.
enum MultipartForm {
    /// One part.
    struct Part {
        var name: String?
        var filename: String?
        var body: [UInt8]
    }

    /// Splits a body into its parts.
    /// - Throws: `bad_request` when the body is not a well-formed multipart body for `boundary`.
    static func parts(_ body: [UInt8], boundary: String) throws(SwitchyardError) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        guard positions.count >= 2 else { throw SwitchyardError(.badRequest, "the multipart/form-data body has no parts delimited by its boundary") }
        var parts: [Part] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var from = start + delimiter.count
            // The delimiter line ends with CRLF; the part ends with CRLF before the next delimiter.
            guard from + 2 <= end, body[from] == 13, body[from + 1] == 10 else { throw malformed }
            from += 2
            guard let headerEnd = find([13, 10, 13, 10], in: body, from: from), headerEnd < end else { throw malformed }
            let headers = String(decoding: body[from..<headerEnd], as: UTF8.self)
            var stop = end
            if stop - 2 >= headerEnd + 4, body[stop - 2] == 13, body[stop - 1] == 10 { stop -= 2 }
            var part = Part(name: nil, filename: nil, body: Array(body[(headerEnd + 4)..<max(stop, headerEnd + 4)]))
            for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                part.name = parameter("name", in: String(line))
                part.filename = parameter("filename", in: String(line))
            }
            parts.append(part)
        }
        return parts
    }

    private static let malformed = SwitchyardError(.badRequest, "the multipart/form-data body is malformed (a part lacks its header block)")

    private static func parameter(_ name: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            let value = pair[1]
            return value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? String(value.dropFirst().dropLast()) : value
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
