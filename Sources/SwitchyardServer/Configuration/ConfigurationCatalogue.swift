/// Every environment variable Switchyard reads, in the order `config check` prints them.
package enum ConfigurationCatalogue {
    /// All variables.
    package static let variables: [ConfigurationVariable] = roles + server + urls + data + secrets + health + work + jobs + customCode + auth

    static let roles: [ConfigurationVariable] = Role.allCases.map {
        ConfigurationVariable($0.environmentVariable, default: "", "`1`/`true` runs the \($0.displayName) role; none set runs every role")
    }

    static let server: [ConfigurationVariable] = [
        .init("NODE_ENV", default: "development", "`production` requires SECRET and ENCRYPTION_SECRET"),
        .init("SWITCHYARD_ENV", default: "development", "same as NODE_ENV; wins when both are set"),
        .init("HOST", default: "127.0.0.1", "address to listen on (`0.0.0.0` in containers)"),
        .init("PORT", default: "5000", "TCP port to listen on (0 picks a free port)"),
        .init("HEADERS_TIMEOUT_MS", default: "61000", "time a new connection has to send its first request head"),
        .init("KEEPALIVE_TIMEOUT_MS", default: "61000", "time an idle kept-alive connection stays open"),
        .init("MAX_REQUEST_SIZE_MB", default: "10", "largest request body; larger ones get 413"),
        .init("MAX_REQUEST_TIME_SECONDS", default: "60", "longest an API request may take; a slower one is stopped and answered 504 `timeout`"),
        .init("OUTBOUND_ALLOWED_NETWORKS", "comma-separated CIDR ranges (for example `127.0.0.0/8,10.1.0.0/16`) that requests to external APIs may reach although they are loopback or private; cloud metadata addresses stay refused"),
        .init("MAX_RESPONSE_SIZE_MB", default: "30", "largest API response; larger ones get 413 (ask for a smaller page)"),
        .init("TOKEN_MAX_LIFETIME_SECONDS", default: "86400", "tenant and workspace admin tokens valid for longer than this are refused"),
        .init("RATE_LIMIT_CUSTOMER_REQUESTS_PER_SECOND", default: "50", "with ENABLE_LIMITS, API requests per second per customer (a customer record's limits.requestsPerSecond wins)"),
        .init("RATE_LIMIT_WORKSPACE_REQUESTS_PER_SECOND", default: "1000", "with ENABLE_LIMITS, API requests per second per workspace (the workspace record's limits.requestsPerSecond wins)"),
        .init("API_PROCESSES", default: "1", "how many API processes share the request-rate limits; each enforces its share"),
        .init("DEBUG_ALL", default: "0", "`1` logs at debug level"),
        .init("MONGO_URI", "refused: Switchyard needs no MongoDB"),
        .init("REDIS_URI", "refused: Switchyard needs no Redis"),
    ]

    static let urls: [ConfigurationVariable] = [
        .init("BASE_URI", default: "http://HOST:PORT", "public URL of the API"),
        .init("BASE_WEBHOOKS_URI", default: "BASE_URI", "public URL for incoming webhooks"),
        .init("BASE_OAUTH_CALLBACK_URI", default: "BASE_URI", "public URL handed to OAuth providers for callbacks"),
        .init("BASE_URI_INTERNAL", default: "BASE_URI", "URL workers use to reach the API"),
        .init("CUSTOM_CODE_RUNNER_URI", default: "this process", "URL of the custom code runner role"),
        .init("BASE_STATIC_URI", default: "BASE_URI/static", "URL the static bucket is served from"),
    ]

    static let data: [ConfigurationVariable] = [
        .init("DATA_DIR", default: "./switchyard-data", "directory for the embedded database, blobs and generated secrets"),
        .init("DATABASE_URL", default: "DATA_DIR/switchyard.sqlite", secret: true, "`postgres://user:pass@host:port/db?sslmode=…` or a SQLite file path"),
        .init("DATABASE_MAX_POOL_SIZE", default: "20", "largest number of PostgreSQL connections per process"),
        .init("DATABASE_MIN_POOL_SIZE", default: "0", "connections kept open when idle"),
        .init("DATABASE_MAX_IDLE_TIME_MS", default: "10000", "idle time before a pooled connection is closed"),
        .init("DATABASE_CONNECT_TIMEOUT_MS", default: "10000", "time allowed to open one connection"),
        .init("STORAGE_PROVIDER", default: "fs", "object storage: `fs` (files under DATA_DIR/blobs); `s3` is not available yet"),
        .init("TMP_STORAGE_BUCKET", default: "tmp", "bucket for temporary files"),
        .init("CONNECTORS_STORAGE_BUCKET", default: "connectors", "bucket for connector packages"),
        .init("STATIC_STORAGE_BUCKET", default: "static", "bucket for static files"),
        .init("AWS_REGION", default: "us-east-1", "S3 region"),
        .init("AWS_ACCESS_KEY_ID", secret: true, "S3 access key"),
        .init("AWS_SECRET_ACCESS_KEY", secret: true, "S3 secret key"),
        .init("AWS_ENDPOINT_URL", "S3-compatible endpoint (for non-AWS servers)"),
    ]

    static let secrets: [ConfigurationVariable] = [
        .init("SECRET", default: "generated", secret: true, "signs Switchyard's own tokens; at least 16 characters"),
        .init("ENCRYPTION_SECRET", default: "generated", secret: true, "encrypts credentials at rest; at least 16 characters"),
        .init("ENCRYPTION_SECRET_PREVIOUS", secret: true, "earlier encryption secrets (comma-separated), read while `switchyard rotate-encryption-key` runs"),
    ]

    static let health: [ConfigurationVariable] = [
        .init("SKIP_HEALTH_CHECKS", "`all` or a comma list of `database`, `storage`, `custom_code` (`mongo`, `redis` accepted and ignored)"),
        .init("HEALTH_CHECK_RETRIES", default: "3", "retries of a failing start-up check before the process exits"),
        .init("HEALTH_CHECK_RETRY_DELAY_MS", default: "1000", "first retry delay; doubles each retry, with jitter"),
        .init("HEALTH_CHECK_MAX_RETRY_DELAY_MS", default: "10000", "largest retry delay"),
        .init("HEALTH_CHECK_INTERVAL_MS", default: "10000", "how often checks re-run once the process is ready"),
    ]

    static let work: [ConfigurationVariable] = [
        .init("ENABLE_LIMITS", default: "0", "`1` turns on per-workspace and per-tenant limits"),
        .init("MAX_QUEUED_TASKS_MEMORY_MB", default: "1024", "memory limit of one queued task"),
        .init("MAX_QUEUED_TASKS_PROCESS_TIME_SECONDS", default: "3000", "time limit of one queued task"),
        .init("MAX_NODE_RUN_OUTPUT_SIZE_MB", default: "20", "largest output of one flow node"),
        .init("MAX_RUNNING_PULLS_PER_WORKSPACE", default: "10", "most data source pulls running at once in one workspace"),
        .init("CONNECTION_CREDENTIALS_STORAGE_TYPE", default: "database", "`database` or `external_api`"),
        .init("CONNECTION_CREDENTIALS_EXTERNAL_API_ENDPOINT_URL", "credentials endpoint when the type is `external_api`"),
        .init("WEBHOOK_MAX_ATTEMPTS", default: "8", "attempts at one webhook notification before it is failed (the dead-letter list)"),
        .init("WEBHOOK_RETRY_BASE_MS", default: "10000", "wait after a webhook's first failed attempt; doubles each time, at most an hour"),
    ]

    static let jobs: [ConfigurationVariable] = [
        .init("INSTANT_TASKS_WORKER_CONCURRENCY", default: "16", "jobs one instant-tasks worker runs at once"),
        .init("ALL_IN_ONE_INSTANT_TASKS_WORKERS", default: "1", "instant-tasks workers in an all-in-one process"),
        .init("ALL_IN_ONE_QUEUED_TASKS_WORKERS", default: "2", "queued-tasks workers in an all-in-one process"),
        .init(
            "QUEUED_TASKS_WORKER_CONCURRENCY", default: "4",
            "jobs one queued-tasks worker runs at once, each in its own executor process (started when first needed) under its own memory "
                + "and time caps"),
        .init("MAX_INSTANT_TASKS_PROCESS_TIME_SECONDS", default: "60", "time limit of one instant task"),
        .init("JOBS_LEASE_SECONDS", default: "30", "a running job returns to the queue this long after its worker stops renewing it"),
        .init("JOBS_POLL_INTERVAL_MS", default: "1000", "how often idle workers look for jobs when no wake-up arrives"),
        .init("QUEUED_TASKS_MAX_RUNNING_PER_CONNECTION", default: "1", "with ENABLE_LIMITS, running queued tasks per connection (workspaces and tenants may override)"),
        .init("QUEUED_TASKS_MAX_RUNNING_PER_TENANT", default: "0", "with ENABLE_LIMITS, running queued tasks per tenant; 0 for no cap beyond fair turns"),
        .init("QUEUED_TASKS_MAX_QUEUE_PER_CONNECTION", default: "10000", "with ENABLE_LIMITS, waiting queued tasks per connection; more are refused with 429"),
        .init("ORCHESTRATOR_INTERVAL_MS", default: "500", "how often the leading orchestrator acts"),
        .init("ORCHESTRATOR_LEADERSHIP_SECONDS", default: "5", "a dead leader is replaced within this time"),
        .init("JOBS_COMPLETED_RETENTION_HOURS", default: "24", "completed jobs are deleted after this long"),
        .init("JOBS_FAILED_RETENTION_DAYS", default: "30", "discarded and cancelled jobs are deleted after this long"),
        .init("LOGS_RETENTION_DAYS", default: "30", "run logs, API logs and events are deleted after this long"),
    ]

    static let customCode: [ConfigurationVariable] = [
        .init("CUSTOM_CODE_JOB_SPACES", default: "cores × 2", "custom code jobs one runner runs at once"),
        .init("CUSTOM_CODE_WARM_POOL_SIZE", default: "CUSTOM_CODE_JOB_SPACES", "started sandbox processes kept ready for new tenants"),
        .init("CUSTOM_CODE_MEMORY_LIMIT", default: "268435456", "memory limit of one sandbox process, in bytes"),
        .init("CUSTOM_CODE_TIMEOUT_MS", default: "30000", "wall-clock limit of a job that names none"),
        .init("CUSTOM_CODE_MAX_TIMEOUT_MS", default: "300000", "largest wall-clock limit a job may ask for"),
        .init("CUSTOM_CODE_MAX_INPUT_MB", default: "10", "largest code plus input; larger jobs are refused before a process starts"),
        .init("CUSTOM_CODE_MAX_OUTPUT_MB", default: "20", "largest result of a job"),
        .init("CUSTOM_CODE_MAX_LOG_KB", default: "64", "console output kept per job"),
        .init("CUSTOM_CODE_JOBS_PER_PROCESS", default: "200", "jobs a tenant's sandbox process runs before it is replaced"),
        .init("CUSTOM_CODE_IDLE_TIMEOUT_MS", default: "60000", "idle time after which a tenant's sandbox process is destroyed"),
        .init("CUSTOM_CODE_QUEUE_WAIT_MS", default: "10000", "time a job waits for a free job space before 429"),
        .init("CUSTOM_CODE_NODE_PATH", default: "/usr/bin/node", "the Node.js executable"),
        .init("CUSTOM_CODE_BWRAP_PATH", default: "/usr/bin/bwrap", "the bubblewrap executable"),
        .init("CUSTOM_CODE_UNSAFE_NO_SANDBOX", default: "0", "`1` runs custom code without OS isolation: development only, never in production"),
    ]

    static let auth: [ConfigurationVariable] = [
        .init("CONSOLE_BASE_PATH", default: "/console", "path the console is served under (every link and redirect carries it)"),
        .init("BASE_PATH", "the console's (or ui's) path when that role runs alone (CONSOLE_BASE_PATH, UI_BASE_PATH win)"),
        .init("ENGINE_API_URI", "the API the console calls, and the ui forwards to, when the api role is not in its process (required then)"),
        .init("UI_BASE_PATH", default: "/ui", "path the end-user UI is served under (the SDK is at /sdk.js)"),
        .init("ENGINE_UI_URI", default: "BASE_URI + UI_BASE_PATH", "public URL of the end-user UI, where connection request links open"),
        .init("NEXT_PUBLIC_ENGINE_UI_URI", "the seed's name for ENGINE_UI_URI (ENGINE_UI_URI wins)"),
        .init("NEXT_PUBLIC_ENGINE_URI", "the seed's name for the API URL the ui forwards to (ENGINE_API_URI wins)"),
        .init("NEXT_PUBLIC_ENGINE_API_URI", "the seed's name for ENGINE_API_URI (ENGINE_API_URI wins)"),
        .init("OIDC_ISSUER", "console sign-in through OpenID Connect: the issuer URL (https), all three OIDC_* or none"),
        .init("OIDC_CLIENT_ID", "the console's client id at the OpenID provider"),
        .init("OIDC_CLIENT_SECRET", secret: true, "the console's client secret at the OpenID provider"),
        .init("OIDC_PROVIDER_NAME", default: "issuer host", "name on the console's \"Sign in with …\" button"),
        .init("AUTH0_DOMAIN", "console sign-in through Auth0: maps onto OIDC_ISSUER as `https://AUTH0_DOMAIN/` (all three AUTH0_* or none)"),
        .init("AUTH0_CLIENT_ID", "Auth0 application client id (maps onto OIDC_CLIENT_ID)"),
        .init("AUTH0_CLIENT_SECRET", secret: true, "Auth0 application client secret (maps onto OIDC_CLIENT_SECRET)"),
        .init("CONSOLE_ALLOWED_EMAIL_DOMAINS", "email domains (comma list) whose people get a `viewer` account at first OpenID Connect sign-in"),
    ]
}
