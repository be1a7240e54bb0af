/// Every kind of stored entity. Each kind has a table of the same shape: indexed columns
/// (`id`, `workspace_id`, `tenant_id`, `key`, `parent_id`, timestamps, `revision`), a JSON
/// document for the rest, and an encrypted secret.
package enum RecordKind: String, Sendable, CaseIterable, Codable {
    /// Workspaces: a workspace row's `workspace_id` is its own id; its signing secret is the
    /// record's (encrypted) secret.
    case workspaces
    /// Tenants (customers) of a workspace.
    case tenants
    /// Console users of a workspace.
    case platformUsers = "platform_users"
    /// Connectors and their versions.
    case connectors, connectorVersions = "connector_versions"
    /// A workspace's use of a connector version.
    case integrations
    /// A tenant's authenticated link to an integration.
    case connections
    /// A connect flow in progress (`/connect`, `/connection-requests`): its OAuth state is
    /// single-use because completing it is a conditional update of this record.
    case connectionRequests = "connection_requests"
    /// Elements, at universal, integration and connection-instance layers.
    case actions, flows, dataSources = "data_sources", fieldMappings = "field_mappings"
    /// Data link tables and their links.
    case dataLinkTables = "data_link_tables", dataLinks = "data_links"
    /// App event types and app data schemas.
    case appEventTypes = "app_event_types", appDataSchemas = "app_data_schemas"
    /// Runs and their logs.
    case flowRuns = "flow_runs", nodeRuns = "node_runs", actionRunLogs = "action_run_logs", externalAPILogs = "external_api_logs"
    /// Events and subscriptions.
    case appEvents = "app_events", externalEvents = "external_events"
    case appEventSubscriptions = "app_event_subscriptions", externalEventSubscriptions = "external_event_subscriptions"
    /// Pulls of data source instances (incremental and full), each with its cursor, counts and error.
    case externalEventPulls = "external_event_pulls"
    /// Webhook notifications to the SaaS: each event, its delivery attempts and status (a
    /// failed one is the dead-letter list).
    case webhookDeliveries = "webhook_deliveries"
    /// Console sign-in sessions: the id is a digest of the cookie's value, the CSRF token is
    /// the (encrypted) secret.
    case consoleSessions = "console_sessions"
    /// Console sign-ins through OpenID Connect waiting for the provider's answer: the id is a
    /// digest of the `state` parameter, the nonce and PKCE verifier are the (encrypted) secret.
    /// Each is deleted on first use.
    case consoleOIDCLogins = "console_oidc_logins"

    /// The kinds that exist at the universal, integration and connection-instance layers.
    package static let elements: [RecordKind] = [.actions, .flows, .dataSources, .fieldMappings, .dataLinkTables, .appEventTypes, .appDataSchemas]

    /// The table's name.
    package var table: String { "sy_\(rawValue)" }
}
