import Testing

@testable import SwitchyardHTTP

@Suite struct RequestIDTests {
    @Test(arguments: ["abc", "req-1.2_3:4", String(repeating: "a", count: 128)])
    func plainShortIDsAreKept(id: String) {
        #expect(RequestIDMiddleware.isAcceptable(id))
    }

    @Test(arguments: ["", "has space", "new\nline", "quote\"", "ünïcode", String(repeating: "a", count: 129)])
    func unsafeIDsAreReplaced(id: String) {
        #expect(!RequestIDMiddleware.isAcceptable(id))
    }
}
