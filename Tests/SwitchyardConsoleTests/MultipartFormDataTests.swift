import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardConsole

/// The console's `multipart/form-data` reader: framing, quoted parameters, and a clear error
/// for each way a body can be broken.
@Suite struct MultipartFormDataTests {
    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"

    /// A body as a browser frames it.
    static func body(_ parts: [(headers: String, body: [UInt8])], boundary: String = boundary, preamble: String = "") -> [UInt8] {
        var bytes = Array(preamble.utf8)
        for part in parts {
            bytes += Array("--\(boundary)\r\n\(part.headers)\r\n\r\n".utf8) + part.body + Array("\r\n".utf8)
        }
        return bytes + Array("--\(boundary)--\r\n".utf8)
    }

    @Test func readsFieldsAndAFileWithItsBytesUnchanged() throws {
        // Bytes that look like framing inside the file: CR, LF, dashes, and the boundary without its CRLF.
        let file: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 13, 10, 45, 45, 0, 255] + Array("--\(Self.boundary)".utf8).dropLast()
        let body = Self.body([
            ("Content-Disposition: form-data; name=\"note\"", Array("hello".utf8)),
            ("Content-Disposition: form-data; name=\"file\"; filename=\"pkg.zip\"\r\nContent-Type: application/zip", file),
            ("content-disposition: form-data; name=empty", []),
        ])
        let form = try MultipartFormData(body: body, contentType: "multipart/form-data; boundary=\(Self.boundary)")
        #expect(form.parts.map(\.name) == ["note", "file", "empty"])
        #expect(form.part(named: "note")?.body == Array("hello".utf8))
        let part = try #require(form.part(named: "file"))
        #expect(part.body == file && part.filename == "pkg.zip" && part.contentType == "application/zip")
        #expect(form.part(named: "empty")?.body == [], "a bare name and an empty body")
        #expect(form.part(named: "missing") == nil)
    }

    @Test func readsQuotedBoundariesAndQuotedNamesWithSemicolonsAndEscapes() throws {
        let boundary = "simple boundary; with=odd chars"
        let body = Self.body(
            [("Content-Disposition: form-data; filename=\"a;b \\\"c\\\".zip\"; NAME=\"file\"", [1, 2, 3])], boundary: boundary,
            preamble: "This preamble is ignored.\r\n")
        let form = try MultipartFormData(body: body, contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"\(boundary)\"")
        let part = try #require(form.parts.first)
        #expect(part.name == "file" && part.filename == "a;b \"c\".zip" && part.body == [1, 2, 3])
    }

    @Test func aBodyWithNoPartsHasNone() throws {
        let form = try MultipartFormData(body: Array("--b--\r\n".utf8), boundary: "b")
        #expect(form.parts.isEmpty)
    }

    @Test(arguments: [
        ("text/plain", "must be sent as multipart/form-data, not text/plain"),
        ("multipart/form-data", "has no boundary parameter"),
        ("multipart/form-data; boundary=\"\"", "must be 1 to 70 characters long"),
        ("multipart/form-data; boundary=" + String(repeating: "x", count: 71), "must be 1 to 70 characters long"),
    ])
    func refusesAContentTypeWithoutAUsableBoundary(contentType: String, message: String) {
        let error = #expect(throws: SwitchyardError.self) { _ = try MultipartFormData(body: [], contentType: contentType) }
        #expect(error?.key == .badRequest && error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("no boundary at all", "does not contain its boundary \"b\""),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ncut off here", "ends before its closing boundary"),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\ny",
         "ends before its closing boundary"),
        ("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "part 1 of the multipart/form-data body has no Content-Disposition: form-data header"),
        ("--b\r\nContent-Disposition: form-data; filename=\"x.zip\"\r\n\r\nx\r\n--b--", "part 1 of the multipart/form-data body has no field name"),
        ("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--", "has no Content-Disposition: form-data header"),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--bXY\r\n",
         "a boundary line of the multipart/form-data body does not end with CRLF"),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\r\nno blank line\r\n--b--",
         "part 1 of the multipart/form-data body has no blank line after its headers"),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\r\nbroken header\r\n\r\nx\r\n--b--",
         "part 1 of the multipart/form-data body has a header line without a colon"),
    ])
    func refusesABrokenBodyNamingWhatIsWrong(body: String, message: String) {
        let error = #expect(throws: SwitchyardError.self) { _ = try MultipartFormData(body: Array(body.utf8), boundary: "b") }
        #expect(error?.key == .badRequest && error?.message.contains(message) == true, "\(String(describing: error))")
    }
}
