import SwitchyardCore
import SwitchyardStore

/// A typed view over an integration's parameters (the record's secret): the OAuth client and
/// whatever else the connector reads as `connectorParameters`.
package struct IntegrationParameters: Sendable, Equatable {
    /// The parameters as stored (an empty object when there are none).
    package var json: JSONValue

    /// The parameters of a stored integration's secret.
    package init(_ secret: JSONValue?) {
        json = secret ?? [:]
    }

    /// The OAuth 2.0 client id (`clientId`).
    package var clientID: String? { json["clientId"]?.stringValue }

    /// The OAuth 2.0 client secret (`clientSecret`).
    package var clientSecret: String? { json["clientSecret"]?.stringValue }

    /// The OAuth 1.0 consumer key (`consumerKey`, else `clientId`).
    package var consumerKey: String? { json["consumerKey"]?.stringValue ?? clientID }

    /// The OAuth 1.0 consumer secret (`consumerSecret`, else `clientSecret`).
    package var consumerSecret: String? { json["consumerSecret"]?.stringValue ?? clientSecret }
}

extension Record {
    /// The typed view of an integration record's parameters.
    package var integrationParameters: IntegrationParameters { IntegrationParameters(secret) }
}
