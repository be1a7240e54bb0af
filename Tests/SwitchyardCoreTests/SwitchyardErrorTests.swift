import Testing

import SwitchyardCore

@Suite struct SwitchyardErrorTests {
    /// The keys are part of the wire contract: clients switch on them.
    @Test func keysHaveTheirDocumentedWireValues() {
        let keys: [(SwitchyardError.Key, String)] = [
            (.badRequest, "bad_request"), (.notAuthenticated, "not_authenticated"), (.accessDenied, "access_denied"),
            (.notFound, "not_found"), (.alreadyExists, "already_exists"), (.tooLarge, "too_large"),
            (.rateLimitExceeded, "rate_limit_exceeded"), (.conflict, "conflict"), (.unavailable, "unavailable"),
            (.internal, "internal"),
        ]
        for (key, raw) in keys { #expect(key.rawValue == raw) }
    }

    @Test func descriptionShowsKeyAndMessageButNotInternalDetail() {
        let error = SwitchyardError(.notFound, "connection c1 not found", internalDetail: "row missing in shard 3")
        #expect(error.description == "not_found: connection c1 not found")
    }
}
