import Foundation
import Testing

import SwitchyardCore

@Suite struct JSONValueTests {
    @Test("jsonText writes what JSONEncoder writes: sorted keys, escapes, integral and fractional numbers")
    func writerMatchesEncoder() throws {
        let samples: [JSONValue] = [
            .null, true, false, 0, -3, 1.5, 1e-7, 12_345_678_901, 0.1, 10, -10, 100, 9_007_199_254_740_991, -9_007_199_254_740_991, 1e300,
            "", "\r\u{08}\u{0C}\u{1F}\u{00}x", "ascii only",
            "plain", "quote \" backslash \\ slash / newline \n tab \t bell \u{07} é 😀",
            ["b": 1, "a": [1, "x", .null], "c": ["nested": true]], [], [:],
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for sample in samples {
            let expected = String(decoding: try encoder.encode(sample), as: UTF8.self)
            let reparsed = try JSONValue.parse(sample.jsonText)
            #expect(reparsed == sample, "\(sample.jsonText)")
            let sameAsEncoder = try JSONValue.parse(expected) == reparsed
            #expect(sample.jsonText == expected || sameAsEncoder, "\(sample.jsonText) vs \(expected)")
        }
        #expect(JSONValue.number(.nan).jsonText == "null")
        #expect(JSONValue.array([10, -205, 0, "a\u{01}\"b"]).jsonText == #"[10,-205,0,"a\u0001\"b"]"#)
    }

    @Test("ISO 8601 timestamps match Foundation's, before and after the epoch and across leap years")
    func timestamps() {
        for seconds: Int64 in [0, 1, 59, 86_399, 86_400, 951_782_400, 1_795_305_600, 4_107_542_400, -1, -86_401, 1_709_164_800] {
            let expected = Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601)
            #expect(ISO8601Time.string(microseconds: seconds * 1_000_000 + 999_999) == expected, "\(seconds)")
        }
    }

    @Test("The reader agrees with JSONDecoder on valid text and refuses what it refuses")
    func readerMatchesDecoder() throws {
        let valid = [
            "null", "true", " false ", "0", "-0", "12", "-3.25", "1e3", "2.5E-3", "123456789012", #""a\"b\\c\/d\n\u00e9\ud83d\ude00""#,
            #"{"b":[1,{"c":null}],"a":"x","":{}}"#, "[]", "{}", " [ 1 , 2 ] ",
        ]
        for text in valid {
            let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(try JSONValue.parse(text) == expected, "\(text)")
        }
        let invalid = ["", "nul", "tru", "[1,]", "{\"a\":}", "{\"a\" 1}", "01", "1.", "-", "\"abc", "\"\\x\"", "\"\\ud800\"", "[1] 2", "{1:2}", "\"a\u{01}b\""]
        for text in invalid {
            #expect(throws: (any Error).self, "\(text)") { _ = try JSONValue.parse(text) }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: (any Error).self) { _ = try JSONValue.parse(deep) }
    }
}
