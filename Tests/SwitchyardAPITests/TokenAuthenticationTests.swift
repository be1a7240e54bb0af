import Foundation
import HTTPTypes
import JWTKit
import SwitchyardAPI
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore
import Testing

@Suite("Tenant and admin tokens")
struct TokenAuthenticationTests {
    @Test("Both claim styles, HS256 and HS512, string and numeric tenant ids authenticate as that tenant")
    func claimStylesAndAlgorithms() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let exp = JSONValue.number(Date().timeIntervalSince1970 + 600)
        let tokens = [
            try await APIHarness.sign(["iss": .string(harness.workspace.key), "id": "c-1", "exp": exp], secret: harness.workspace.secret),
            try await APIHarness.sign(
                ["workspaceKey": .string(harness.workspace.key), "tenantKey": "c-1", "exp": exp], secret: harness.workspace.secret, algorithm: "HS512"
            ),
        ]
        var ids: Set<String> = []
        for token in tokens {
            let caller = try await harness.authenticator.authenticate(token)
            #expect(!caller.isAdmin && caller.tenantKey == "c-1")
            ids.insert(caller.tenantID ?? "")
        }
        #expect(ids.count == 1)
        let numeric = try await APIHarness.sign(["iss": .string(harness.workspace.key), "id": 42, "exp": exp], secret: harness.workspace.secret)
        #expect(try await harness.authenticator.authenticate(numeric).tenantKey == "42")
    }

    @Test("A tenant is created on first sight of its id, and its name and fields follow the token")
    func tenantFollowsToken() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let first = try await client.send(
                .get, "/self", token: try await harness.tenantToken("acme", name: "Acme", claims: ["fields": ["plan": "pro"]]))
            #expect(first.status == 200)
            #expect(first.json["customer"]?["internalId"] == "acme")
            #expect(first.json["customer"]?["name"] == "Acme")
            #expect(first.json["customer"]?["fields"]?["plan"] == "pro")
            let renamed = try await client.send(.get, "/self", token: try await harness.tenantToken("acme", name: "Acme Inc"))
            #expect(renamed.json["customer"]?["name"] == "Acme Inc")
            #expect(renamed.json["customer"]?["id"] == first.json["customer"]?["id"])
            let customers = try await client.send(.get, "/customers", token: try await harness.adminToken())
            #expect(customers.json["items"]?.arrayCount == 1)
        }
    }

    @Test("Admin tokens: isAdmin true, 1 or \"true\" with no tenant, and the platform token")
    func adminTokens() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let exp = JSONValue.number(Date().timeIntervalSince1970 + 600)
        for flag: JSONValue in [true, 1, "true"] {
            let token = try await APIHarness.sign(
                ["iss": .string(harness.workspace.key), "isAdmin": flag, "exp": exp], secret: harness.workspace.secret)
            let caller = try await harness.authenticator.authenticate(token)
            #expect(caller.isAdmin && caller.tenantID == nil)
        }
        let platform = try await APIHarness.sign(["iss": "switchyard", "isAdmin": true, "exp": exp], secret: Workspace.newSecret())
        await #expect(throws: SwitchyardError.self) { _ = try await harness.authenticator.authenticate(platform) }
    }

    static let refusals: [(String, String)] = [
        ("expired", "expired"), ("no exp", "no exp claim"), ("too long", "longer than"), ("wrong secret", "signature is not valid"),
        ("alg none", "alg none"), ("HS384", "not accepted"), ("unknown workspace", "no workspace has key"), ("malformed", "malformed"),
        ("no tenant", "names no tenant"), ("no workspace", "names no workspace"),
    ]

    @Test("Bad tokens get 401 not_authenticated saying what is wrong", arguments: refusals.map(\.0))
    func badTokensAreRefused(case name: String) async throws {
        let harness = try await APIHarness.make(maxLifetime: .seconds(3600))
        defer { harness.remove() }
        let key = JSONValue.string(harness.workspace.key)
        let now = Date().timeIntervalSince1970
        let secret = harness.workspace.secret
        let token: String
        switch name {
        case "expired": token = try await APIHarness.sign(["iss": key, "id": "t", "exp": .number(now - 10)], secret: secret)
        case "no exp": token = try await APIHarness.sign(["iss": key, "id": "t"], secret: secret)
        case "too long": token = try await APIHarness.sign(["iss": key, "id": "t", "exp": .number(now + 86_400 * 30)], secret: secret)
        case "wrong secret": token = try await APIHarness.sign(["iss": key, "id": "t", "exp": .number(now + 60)], secret: Workspace.newSecret())
        case "alg none":
            token =
                Self.base64(#"{"alg":"none","typ":"JWT"}"#) + "."
                + Self.base64(#"{"iss":"\#(harness.workspace.key)","id":"t","exp":\#(Int(now) + 60)}"#) + "."
        case "HS384":
            token = Self.base64(#"{"alg":"HS384","typ":"JWT"}"#) + "." + Self.base64(#"{"iss":"\#(harness.workspace.key)","id":"t"}"#) + ".c2ln"
        case "unknown workspace": token = try await APIHarness.sign(["iss": "nope", "id": "t", "exp": .number(now + 60)], secret: secret)
        case "malformed": token = "not-a-jwt"
        case "no tenant": token = try await APIHarness.sign(["iss": key, "exp": .number(now + 60)], secret: secret)
        default: token = try await APIHarness.sign(["id": "t", "exp": .number(now + 60)], secret: secret)
        }
        let expected = try #require(Self.refusals.first { $0.0 == name }?.1)
        try await harness.withClient { client in
            let answer = try await client.send(.get, "/self", token: token)
            #expect(answer.status == 401)
            #expect(answer.json["key"] == "not_authenticated")
            #expect(answer.json["message"]?.stringValue?.contains(expected) == true, "\(answer.json)")
        }
    }

    @Test("After a rotation the old secret works during the grace period only; an archived customer's tokens stop working")
    func rotationAndArchive() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let old = try await harness.tenantToken("t1")
        let rotated = try await harness.workspaces.rotateSecret(key: harness.workspace.key)
        #expect(rotated.secret != harness.workspace.secret)
        #expect(try await harness.authenticator.authenticate(old).tenantKey == "t1")
        let fresh = try await APIHarness.sign(
            ["iss": .string(rotated.key), "id": "t1", "exp": .number(Date().timeIntervalSince1970 + 60)], secret: rotated.secret)
        #expect(try await harness.authenticator.authenticate(fresh).tenantKey == "t1")
        _ = try await harness.store.records.update(.workspaces, id: rotated.key, scope: .workspace(rotated.key), expectedRevision: nil) { record in
            if case .object(var document) = record.document {
                document["previousSecretValidUntil"] = .number(Double(StoreClock.now() - 1))
                record.document = .object(document)
            }
        }
        await #expect(throws: SwitchyardError.self) { _ = try await harness.authenticator.authenticate(old) }
        try await harness.withClient { client in
            let admin = try await APIHarness.sign(
                ["iss": .string(rotated.key), "isAdmin": true, "exp": .number(Date().timeIntervalSince1970 + 60)], secret: rotated.secret)
            #expect(try await client.send(.delete, "/customers/t1", token: admin).status == 200)
            let refused = try await client.send(.get, "/self", token: fresh)
            #expect(refused.status == 401 && refused.json["message"]?.stringValue?.contains("archived") == true)
        }
    }

    @Test("A token verified a moment ago is still refused once it expires, or once its workspace's keys change")
    func rememberedTokensAreCheckedAgain() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let key = JSONValue.string(harness.workspace.key)
        let shortLived = try await APIHarness.sign(
            ["iss": key, "id": "t2", "exp": .number(Date().timeIntervalSince1970 + 2)], secret: harness.workspace.secret)
        #expect(try await harness.authenticator.authenticate(shortLived).tenantKey == "t2")
        #expect(try await harness.authenticator.authenticate(shortLived).tenantKey == "t2")
        let deadline = ContinuousClock.now + .seconds(20)
        var refusal: SwitchyardError?
        while refusal == nil, ContinuousClock.now < deadline {
            do throws(SwitchyardError) {
                _ = try await harness.authenticator.authenticate(shortLived)
                try? await Task.sleep(for: .milliseconds(100))
            } catch {
                refusal = error
            }
        }
        #expect(refusal?.message.contains("expired") == true, "\(String(describing: refusal))")
        // Registering a public key keeps the secret valid; a token the secret signed still works,
        // and one forged by a key the workspace never had does not, even after valid uses of others.
        let token = try await harness.tenantToken("t3")
        #expect(try await harness.authenticator.authenticate(token).tenantKey == "t3")
        _ = try await harness.workspaces.setPublicKey(key: harness.workspace.key, pem: ES256PrivateKey().publicKey.pemRepresentation)
        #expect(try await harness.authenticator.authenticate(token).tenantKey == "t3")
        let forged = try await APIHarness.sign(
            ["iss": key, "id": "t3", "exp": .number(Date().timeIntervalSince1970 + 60)], secret: Workspace.newSecret())
        await #expect(throws: SwitchyardError.self) { _ = try await harness.authenticator.authenticate(forged) }
    }

    @Test("A tenant's record id is the first 16 bytes of SHA-256 of workspace, NUL, tenant id, in hex (stored ids never change)")
    func tenantRecordIDIsStable() {
        #expect(TenantDirectory.recordID(workspaceID: "ws-key", key: "customer-1") == "tn_227df3ad0f2496a5ca42d9b67d83bc36")
    }

    @Test("ES256 tokens verify against a registered public key")
    func registeredPublicKey() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let privateKey = ES256PrivateKey()
        _ = try await harness.workspaces.setPublicKey(key: harness.workspace.key, pem: privateKey.publicKey.pemRepresentation)
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: privateKey)
        let token = try await keys.sign(
            RawClaims(claims: ["iss": .string(harness.workspace.key), "id": "ec", "exp": .number(Date().timeIntervalSince1970 + 60)]))
        #expect(try await harness.authenticator.authenticate(token).tenantKey == "ec")
        let stranger = JWTKeyCollection()
        await stranger.add(ecdsa: ES256PrivateKey())
        let forged = try await stranger.sign(
            RawClaims(claims: ["iss": .string(harness.workspace.key), "id": "ec", "exp": .number(Date().timeIntervalSince1970 + 60)]))
        await #expect(throws: SwitchyardError.self) { _ = try await harness.authenticator.authenticate(forged) }
    }

    @Test("Fuzz: random and mutated tokens never crash and never authenticate")
    func fuzz() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let valid = try await harness.tenantToken("fuzz")
        #expect(try await harness.authenticator.authenticate(valid).tenantKey == "fuzz")
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\":,")
        var candidates: [String] = ["", ".", "..", "...", "a.b.c", String(repeating: "A", count: 10_000) + ".x.y"]
        for _ in 0..<400 {
            candidates.append(String((0..<Int.random(in: 1...300, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        let characters = Array(valid)
        for _ in 0..<600 {
            var mutated = characters
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                var replacement = alphabet.randomElement(using: &generator)!
                while replacement == mutated[index] { replacement = alphabet.randomElement(using: &generator)! }
                mutated[index] = replacement
            case 1: mutated.removeLast(Int.random(in: 1...min(20, mutated.count), using: &generator))
            case 2: mutated.insert(alphabet.randomElement(using: &generator)!, at: Int.random(in: 0...mutated.count, using: &generator))
            default:
                let parts = valid.split(separator: ".")
                let header = Self.base64(#"{"alg":"\#(["none", "None", "HS256", "HS512", "RS256", "ES256", ""].randomElement(using: &generator)!)"}"#)
                mutated = Array(header + "." + parts[1] + "." + (Bool.random(using: &generator) ? parts[2] : ""))
            }
            candidates.append(String(mutated))
        }
        var authenticated: [String] = []
        for token in candidates where token != valid {
            do {
                let caller = try await harness.authenticator.authenticate(token)
                // Base64url has padding-free aliases: a mutation in the signature's last
                // character can decode to the same bytes. Only such a same-signature token may pass.
                if !Self.sameSignature(token, valid) { authenticated.append(token + " -> \(caller)") }
            } catch {
                #expect(error.key == .notAuthenticated, "\(token): \(error)")
            }
        }
        #expect(authenticated.isEmpty, "\(authenticated.prefix(3))")
    }

    static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
            of: "=", with: "")
    }

    static func sameSignature(_ token: String, _ valid: String) -> Bool {
        func decoded(_ part: Substring) -> Data? {
            var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while text.count % 4 != 0 { text += "=" }
            return Data(base64Encoded: text)
        }
        let a = token.split(separator: ".", omittingEmptySubsequences: false)
        let b = valid.split(separator: ".", omittingEmptySubsequences: false)
        guard a.count == 3, b.count == 3 else { return false }
        return (0..<3).allSatisfy { decoded(a[$0]) != nil && decoded(a[$0]) == decoded(b[$0]) }
    }
}

extension JSONValue {
    var arrayCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }
}
