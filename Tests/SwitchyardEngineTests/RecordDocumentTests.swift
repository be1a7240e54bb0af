import SwitchyardCore
import SwitchyardEngine
import Testing

@Suite("Typed record documents")
struct RecordDocumentTests {
    @Test("A connection's state and disconnected flag are written together, whichever way it changes")
    func stateAndFlagAgree() {
        var document = ConnectionDocument([
            "name": "Hub", "state": "connected", "disconnected": false, "credentialsRevision": 3, "credentialsExpiresAt": 1000,
        ])
        document.markDisconnected(reason: "the provider refused")
        #expect(document.json["state"] == "disconnected" && document.json["disconnected"] == true)
        #expect(document.json["disconnectedReason"] == "the provider refused" && document.json["name"] == "Hub")
        document.markConnected(revision: 4, expiresAt: nil)
        #expect(document.json["state"] == "connected" && document.json["disconnected"] == false)
        #expect(
            document.json["disconnectedReason"] == nil && document.json["credentialsExpiresAt"] == nil && document.json["credentialsRevision"] == 4)
        document.state = .error
        #expect(document.json["state"] == "error" && document.json["disconnected"] == false)
    }

    @Test("A stored row whose flag disagrees reads as its state says; a row without a state is connected")
    func readsFromTheState() {
        #expect(ConnectionDocument(["state": "disconnected", "disconnected": false]).isDisconnected)
        #expect(ConnectionDocument([:]).state == .connected && ConnectionDocument([:]).credentialsRevision == 0)
    }

    @Test("An integration that moves to another connector drops the version pinned for the old one")
    func integrationConnectorChange() {
        var document = IntegrationDocument(name: "Hub")
        document.connectorID = "a"
        document.connectorVersion = "1.0.0"
        document.use(connector: "a")
        #expect(document.connectorVersion == "1.0.0")
        document.use(connector: "b")
        #expect(document.connectorID == "b" && document.connectorVersion == nil && document.json["connectorVersion"] == nil)
        #expect(IntegrationParameters(["consumerKey": "k", "clientSecret": "s"]).consumerSecret == "s")
        #expect(IntegrationParameters(nil).json == [:])
    }

    @Test("A connector reads its development digest and latest version")
    func connector() {
        var document = ConnectorDocument(name: "Tasks", authType: "none")
        #expect(document.developmentDigest == nil && document.latestVersion == nil)
        document.development = ["sha256": "abc", "size": 10]
        document.latestVersion = "1.2.0"
        #expect(document.developmentDigest == "abc" && document.json["latestVersion"] == "1.2.0" && document.json["authType"] == "none")
    }
}
