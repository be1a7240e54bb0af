import SwitchyardCore

/// How a data collection reports changes to its records (`events` in `data/<key>/spec.yml`).
/// Any combination may be declared; a data source uses `pull-latest-records` or the custom
/// `pull` for its incremental pulls, `full-scan` for its full syncs, and `webhook` for events
/// the provider sends.
package struct ConnectorDataEvents: Sendable, Hashable {
    /// Incremental pulls through the `list` method: records whose `updatedField` is newer than
    /// the last pull's newest (`input.since`), or, with `resumeFromCursor`, the pages after the
    /// last pull's final cursor.
    package struct PullLatestRecords: Sendable, Hashable {
        /// The field of an API record that grows whenever the record changes (`updated_at`).
        package var updatedField: String?
        /// Whether the next pull starts from the final cursor of the last one (a change feed).
        package var resumeFromCursor: Bool

        /// Creates the settings.
        package init(updatedField: String?, resumeFromCursor: Bool) {
            self.updatedField = updatedField
            self.resumeFromCursor = resumeFromCursor
        }
    }

    /// Provider webhooks: functions to subscribe, to turn a delivery into events, to
    /// unsubscribe and to refresh a subscription, and how deliveries are verified.
    package struct Webhook: Sendable, Hashable {
        /// Creates the subscription at the provider; sees `input.webhookUri`, returns its `state`.
        package var subscribe: ConnectorFunction
        /// Turns one delivery (`input.data`, `input.headers`, `input.query`, `input.state`) into
        /// `{events: [{type, record | id}], response?}`.
        package var handle: ConnectorFunction
        /// Removes the subscription at the provider (`input.state`), when declared.
        package var unsubscribe: ConnectorFunction?
        /// Renews the subscription (`input.state`), returning its new `state`, when declared.
        package var refresh: ConnectorFunction?
        /// How often `refresh` runs, in seconds.
        package var refreshIntervalSeconds: Int?
        /// How a delivery's signature is checked, when the provider signs them.
        package var signature: WebhookSignature?
        /// The query parameter that carries a verification challenge to echo back (`hub.challenge`).
        package var challengeQuery: String?

        /// Creates the webhook settings.
        package init(
            subscribe: ConnectorFunction, handle: ConnectorFunction, unsubscribe: ConnectorFunction?, refresh: ConnectorFunction?,
            refreshIntervalSeconds: Int?, signature: WebhookSignature?, challengeQuery: String?
        ) {
            self.subscribe = subscribe
            self.handle = handle
            self.unsubscribe = unsubscribe
            self.refresh = refresh
            self.refreshIntervalSeconds = refreshIntervalSeconds
            self.signature = signature
            self.challengeQuery = challengeQuery
        }
    }

    /// An HMAC-SHA256 signature over the raw body, in a header.
    package struct WebhookSignature: Sendable, Hashable {
        /// The header that carries it.
        package var header: String
        /// A formula over `{state, connectorParameters, credentials}` giving the signing secret.
        package var secret: JSONValue
        /// A prefix before the digest (`sha256=`).
        package var prefix: String
        /// `hex` or `base64`.
        package var encoding: String

        /// Creates the settings.
        package init(header: String, secret: JSONValue, prefix: String, encoding: String) {
            self.header = header
            self.secret = secret
            self.prefix = prefix
            self.encoding = encoding
        }
    }

    /// Incremental pulls by `list`, when declared.
    package var pullLatestRecords: PullLatestRecords?
    /// A custom pull function (`input.state` → `{events, state, hasMore}`), when declared.
    package var pull: ConnectorFunction?
    /// Whether full scans (every page of `list`, compared with the last complete scan) are allowed.
    package var fullScan: Bool
    /// Provider webhooks, when declared.
    package var webhook: Webhook?

    /// Creates the events settings.
    package init(pullLatestRecords: PullLatestRecords? = nil, pull: ConnectorFunction? = nil, fullScan: Bool = false, webhook: Webhook? = nil) {
        self.pullLatestRecords = pullLatestRecords
        self.pull = pull
        self.fullScan = fullScan
        self.webhook = webhook
    }

    /// The JSON form.
    package var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let pullLatestRecords {
            var members: [String: JSONValue] = ["resumeFromCursor": .bool(pullLatestRecords.resumeFromCursor)]
            if let field = pullLatestRecords.updatedField { members["updatedField"] = .string(field) }
            object["pull-latest-records"] = .object(members)
        }
        if let pull { object["pull"] = pull.json }
        if fullScan { object["full-scan"] = .bool(true) }
        if let webhook {
            var members: [String: JSONValue] = ["subscribe": webhook.subscribe.json, "handle": webhook.handle.json]
            if let function = webhook.unsubscribe { members["unsubscribe"] = function.json }
            if let function = webhook.refresh { members["refresh"] = function.json }
            if let seconds = webhook.refreshIntervalSeconds { members["refreshIntervalSeconds"] = .number(Double(seconds)) }
            if let query = webhook.challengeQuery { members["challengeQuery"] = .string(query) }
            if let signature = webhook.signature {
                members["signature"] = [
                    "header": .string(signature.header), "secret": signature.secret, "prefix": .string(signature.prefix),
                    "encoding": .string(signature.encoding),
                ]
            }
            object["webhook"] = .object(members)
        }
        return .object(object)
    }
}
