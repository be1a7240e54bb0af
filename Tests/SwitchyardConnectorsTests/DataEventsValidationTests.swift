import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardConnectors

/// A data collection's `idField`, `fieldsFromApi`/`fieldsToApi` and `events`: read when right,
/// every problem reported with its file, line and path when not.
@Suite("Data collection events and field mappings")
struct DataEventsValidationTests {
    @Test("events, id field and field mappings are read, with event functions from files")
    func readsEvents() throws {
        let collection = """
            name: Tasks
            fieldsSchema: {type: object}
            idField: key
            fieldsFromApi: {title: {$var: $.name}}
            fieldsToApi: {name: {$var: $.title}}
            methods:
              list: {type: mapping, mapping: {records: []}}
            events:
              pull-latest-records: {updatedField: modified}
              full-scan: true
              webhook:
                subscribe: {type: mapping, mapping: {state: {}}}
                refreshIntervalSeconds: 3600
                challengeQuery: hub.challenge
                signature: {header: X-Signature, secret: {$var: $.state.secret}, prefix: "sha256="}
            """
        let files = Fixture.files([
            "spec.yml": Fixture.spec, "data/tasks/spec.yml": collection,
            "data/tasks/events/handle.map.yml": "events: []\n", "data/tasks/events/pull.js": "module.exports = async () => ({events: []})\n",
        ])
        let package = try ConnectorPackageReader.read(files: files)
        let tasks = try #require(package.dataCollections.first)
        #expect(tasks.idField == "key" && tasks.fieldsFromApi == ["title": ["$var": "$.name"]] && tasks.fieldsToApi == ["name": ["$var": "$.title"]])
        let events = try #require(tasks.events)
        #expect(events.pullLatestRecords == .init(updatedField: "modified", resumeFromCursor: false) && events.fullScan)
        #expect(events.pull?.type == .javascript && events.pull?.file == "data/tasks/events/pull.js")
        let webhook = try #require(events.webhook)
        #expect(webhook.handle.file == "data/tasks/events/handle.map.yml" && webhook.refreshIntervalSeconds == 3600)
        #expect(webhook.signature?.header == "X-Signature" && webhook.signature?.prefix == "sha256=" && webhook.signature?.encoding == "hex")
        #expect(webhook.challengeQuery == "hub.challenge")
        // The package packs and reads back the same.
        #expect(try ConnectorPackageReader.read(zip: package.archive).dataCollections == package.dataCollections)
    }

    @Test("wrong events are reported with file, line and path")
    func reportsProblems() {
        let collection = """
            name: Tasks
            fieldsSchema: {type: object}
            methods:
              findById: {type: mapping, mapping: {}}
            events:
              pull-latest-records: {since: x}
              full-scan: {every: 3}
              webhook:
                refreshIntervalSeconds: 5
                signature: {secret: x, encoding: octal}
              polling: true
            """
        let found = problems(Fixture.files(["spec.yml": Fixture.spec, "data/tasks/spec.yml": collection]))
        #expect(
            found == [
                "data/tasks/spec.yml:1: events: pull-latest-records and full-scan read through the list method, which is not declared",
                "data/tasks/spec.yml:6: events.pull-latest-records: needs updatedField, or resumeFromCursor: true",
                "data/tasks/spec.yml:6: events.pull-latest-records.since: unknown field (allowed: updatedField, resumeFromCursor)",
                "data/tasks/spec.yml:7: events.full-scan: must be true or false, not a mapping",
                "data/tasks/spec.yml:9: events.webhook.subscribe: is required (inline, or as one of the files "
                    + "data/tasks/events/subscribe.map.yml, data/tasks/events/subscribe.api.yml, data/tasks/events/subscribe.js)",
                "data/tasks/spec.yml:9: events.webhook.handle: is required (inline, or as one of the files "
                    + "data/tasks/events/handle.map.yml, data/tasks/events/handle.api.yml, data/tasks/events/handle.js)",
                "data/tasks/spec.yml:9: events.webhook.refreshIntervalSeconds: must be a whole number of seconds from 60 to 31536000",
                "data/tasks/spec.yml:10: events.webhook.signature.header: is required",
                "data/tasks/spec.yml:10: events.webhook.signature.encoding: must be one of hex, base64",
                "data/tasks/spec.yml:11: events.polling: unknown field (allowed: pull-latest-records, full-scan, pull, webhook)",
            ], "\(found)")
    }
}
