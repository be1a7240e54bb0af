import Testing

import SwitchyardEngine

@Suite("PKCE")
struct PKCETests {
    @Test("The S256 challenge is BASE64URL(SHA-256(verifier)) without padding, as an independent implementation (Python's hashlib) computes it")
    func challengeMatchesAnIndependentImplementation() {
        #expect(PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk").challenge == "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g")
    }

    @Test("Fresh verifiers are 64 unreserved characters and differ")
    func freshVerifiers() {
        let a = PKCE(), b = PKCE()
        #expect(a.verifier.count == 64 && a.verifier != b.verifier)
        #expect(a.verifier.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._~".unicodeScalars.contains($0)) })
    }
}
