/**
 * Every configuration setting, declared once: its YAML path (Nakama-style names), type, default,
 * environment variable, command-line flag and documentation. Loading, validation, `--help` and the
 * README's configuration table all come from this list.
 */

export type SettingType = "string" | "integer" | "boolean" | "port" | "credentials" | "list";

export interface Setting {
  /** Dotted path as written in YAML and on the command line (`--session.token_expiry_sec`). */
  readonly path: string;
  readonly type: SettingType;
  readonly default?: string | number | boolean;
  /** Extra short flag (`--port`) besides the generic `--<path>`. */
  readonly flag?: string;
  /** Extra short environment variable (`TESSERA_PORT`) besides the generic `TESSERA_<PATH>`. */
  readonly env?: string;
  /** Smallest allowed value for integers. */
  readonly min?: number;
  /** Largest allowed value for integers. */
  readonly max?: number;
  /** Hidden from printed output (keys). */
  readonly secret?: boolean;
  readonly doc: string;
}

export const SETTINGS: readonly Setting[] = [
  {
    path: "production",
    type: "boolean",
    default: false,
    flag: "--production",
    env: "TESSERA_PRODUCTION",
    doc: "Refuse unsafe settings (the default server key, short signing keys) instead of warning.",
  },
  {
    path: "data_dir",
    type: "string",
    default: "./data",
    flag: "--data-dir",
    env: "TESSERA_DATA_DIR",
    doc: "Directory for the embedded database and generated signing keys.",
  },
  { path: "logger.level", type: "string", default: "info", env: "TESSERA_LOG_LEVEL", doc: "Log level: debug, info, warn or error." },
  {
    path: "logger.format",
    type: "string",
    default: "text",
    env: "TESSERA_LOG_FORMAT",
    doc: "Log line format: text (readable) or json (one JSON object per line, for log collectors). Lines logged while serving a request carry its request_id either way.",
  },
  {
    path: "logger.access_log",
    type: "boolean",
    default: false,
    doc: "Log one info line per HTTP request (method, route, status, duration, request_id); health probes and metrics scrapes excepted.",
  },
  {
    path: "socket.host",
    type: "string",
    default: "127.0.0.1",
    flag: "--host",
    env: "TESSERA_HOST",
    doc: "Address to listen on (0.0.0.0 for every interface).",
  },
  {
    path: "socket.port",
    type: "port",
    default: 7350,
    flag: "--port",
    env: "TESSERA_PORT",
    doc: "Port to listen on; 0 picks a free port (the start-up line names it).",
  },
  {
    path: "socket.server_key",
    type: "string",
    default: "defaultkey",
    flag: "--server-key",
    env: "TESSERA_SERVER_KEY",
    secret: true,
    doc: "Key clients send as HTTP Basic user name to authenticate and refresh.",
  },
  { path: "socket.max_request_size_bytes", type: "integer", default: 262144, min: 1024, doc: "Largest accepted request body; larger bodies get 413." },
  {
    path: "socket.max_concurrent_requests",
    type: "integer",
    default: 1024,
    min: 0,
    doc: "Most HTTP requests handled at once; past it a request is answered at once with 503 and Retry-After (load shedding; /healthz is exempt). 0: no limit.",
  },
  {
    path: "session.encryption_key",
    type: "string",
    secret: true,
    doc: "HMAC key of access tokens. Empty: generated on first start and kept in the data directory.",
  },
  {
    path: "session.refresh_encryption_key",
    type: "string",
    secret: true,
    doc: "HMAC key of refresh tokens; must differ from session.encryption_key. Empty: generated like it.",
  },
  { path: "session.token_expiry_sec", type: "integer", default: 3600, min: 1, doc: "Access token lifetime in seconds." },
  {
    path: "session.refresh_token_expiry_sec",
    type: "integer",
    default: 2592000,
    min: 1,
    doc: "Refresh token lifetime in seconds; each refresh issues a new one with a fresh lifetime.",
  },
  {
    path: "session.refresh_reuse_grace_sec",
    type: "integer",
    default: 10,
    min: 0,
    doc: "Window in which the refresh token just rotated out still returns the current tokens (concurrent refreshes); after it, reuse revokes the session.",
  },
  {
    path: "session.cache_ttl_ms",
    type: "integer",
    min: 0,
    max: 60000,
    doc: "How long a node may reuse a session row for the bearer check; revocations on this node drop it at once. Default: 1000 with the embedded SQLite store, 0 (off) on PostgreSQL, where it is the longest a revocation made on another node can go unseen.",
  },
  { path: "session.single_session", type: "boolean", default: false, doc: "Each sign-in ends the account's other sessions." },
  {
    path: "session.single_socket",
    type: "boolean",
    default: false,
    doc: "An account may hold one realtime socket: a new one closes the older ones (notification -7 single_socket).",
  },
  {
    path: "console.token_expiry_sec",
    type: "integer",
    default: 28800,
    min: 60,
    max: 2592000,
    doc: "Lifetime of a console sign-in (the web console and the /v2/console API); the console user signs in again after it.",
  },
  {
    path: "audit.retention_days",
    type: "integer",
    default: 90,
    min: 0,
    doc: "How long audit events are kept (days); older ones are deleted hourly. 0: kept forever.",
  },
  {
    path: "ratelimit.signin_per_ip",
    type: "integer",
    default: 120,
    min: 0,
    doc: "Sign-in attempts per minute (sliding window) from one client address (IPv6: one /64), over every sign-in route; past it 429 with Retry-After. 0: no limit.",
  },
  {
    path: "ratelimit.signin_per_identifier",
    type: "integer",
    default: 10,
    min: 0,
    doc: "Sign-in attempts per minute (sliding window) naming one device id, email, custom id, username or game-server identity, from any address; past it 429 with Retry-After. 0: no limit.",
  },
  {
    path: "auth.password_hash_concurrency",
    type: "integer",
    default: 0,
    min: 0,
    doc: "Password hashes and checks (argon2id) run at once; 0: automatic, the CPU count but at most one less than libuv's thread pool (UV_THREADPOOL_SIZE, default 4).",
  },
  {
    path: "auth.password_hash_queue",
    type: "integer",
    default: 64,
    min: 0,
    doc: "Password hashes and checks that may wait for a free slot; past it the sign-in answers 503 with Retry-After at once instead of waiting.",
  },
  {
    path: "runtime.path",
    type: "string",
    env: "TESSERA_RUNTIME_PATH",
    doc: "Directory of runtime modules (.js/.mjs files exporting InitModule) loaded at start. Empty: none.",
  },
  {
    path: "runtime.hook_timeout_ms",
    type: "integer",
    default: 5000,
    min: 1,
    doc: "Longest a runtime hook may take; past it that request fails with 504 and the server goes on.",
  },
  {
    path: "tickets.app_id",
    type: "integer",
    default: 0,
    min: 0,
    max: 4294967295,
    doc: "The app id (uint32) written into every ticket; a validator expecting another app gets GameMismatch. Use your Steam app id if you have one.",
  },
  {
    path: "tickets.require_license",
    type: "boolean",
    default: false,
    doc: "Validation requires a license (own or borrowed); false: every account owns the app.",
  },
  {
    path: "tickets.ticket_expiry_sec",
    type: "integer",
    default: 600,
    min: 1,
    max: 86400,
    doc: "How long a ticket can be begun after it is issued (a begun auth session lasts until ended).",
  },
  {
    path: "tickets.max_open_per_session",
    type: "integer",
    default: 32,
    min: 1,
    doc: "Most unused, unexpired tickets one player session may hold; more answer 429.",
  },
  {
    path: "tickets.validation_timeout_ms",
    type: "integer",
    default: 5000,
    min: 1,
    doc: "Longest the asynchronous validation may take before the validator gets VACCheckTimedOut (5).",
  },
  {
    path: "tickets.game_server_token_expiry_sec",
    type: "integer",
    default: 3600,
    min: 60,
    doc: "Lifetime of a game server's token; it signs in again with its secret.",
  },
  {
    path: "tickets.game_servers",
    type: "credentials",
    secret: true,
    doc: "Game-server credentials declared in configuration: a YAML list of {identity, secret} (JSON in the environment); secrets of at least 32 characters. More can be created at run time (docs/tickets.md).",
  },
  {
    path: "code_link.expiry_sec",
    type: "integer",
    default: 300,
    min: 60,
    max: 1800,
    doc: "How long a Code-Link sign-in code stays valid after it is generated (docs/code-link.md).",
  },
  {
    path: "code_link.interval_sec",
    type: "integer",
    default: 5,
    min: 1,
    max: 60,
    doc: "Seconds a device waiting on a Code-Link code must leave between sign-in polls; polling faster answers slow_down and adds 5 s (RFC 8628).",
  },
  {
    path: "code_link.lookups_per_account",
    type: "integer",
    default: 10,
    min: 0,
    doc: "Code-Link code lookups (info and confirm, right or wrong) per minute by one account; past it 429 with Retry-After. 0: off.",
  },
  {
    path: "code_link.lookups_per_ip",
    type: "integer",
    default: 30,
    min: 0,
    doc: "Code-Link code lookups per minute from one client address (IPv6: one /64), all accounts together; past it 429. 0: off.",
  },
  {
    path: "database.url",
    type: "string",
    flag: "--database-url",
    env: "TESSERA_DATABASE_URL",
    doc: "SQLite file path (default <data_dir>/tessera.db), or a postgres:// URL to use PostgreSQL.",
  },
  {
    path: "database.synchronous",
    type: "string",
    default: "normal",
    doc: "SQLite durability: normal survives process crashes; full also survives power loss at the cost of an fsync per write.",
  },
  {
    path: "social.steam.publisher_key",
    type: "string",
    secret: true,
    env: "TESSERA_STEAM_PUBLISHER_KEY",
    doc: "Steam Web API publisher key (Steamworks partner key) used to check sign-in tickets. Empty: Steam sign-in is not configured (400).",
  },
  {
    path: "social.steam.app_id",
    type: "integer",
    default: 0,
    min: 0,
    doc: "Steam app id the tickets must be for; required (1 or more) when social.steam.publisher_key is set.",
  },
  {
    path: "social.steam.api_url",
    type: "string",
    default: "https://partner.steam-api.com",
    doc: "Base URL of the Steam Web API (http or https); change it only for a proxy or a test double.",
  },
  {
    path: "social.steam.timeout_ms",
    type: "integer",
    default: 5000,
    min: 1,
    doc: "Longest wait for Steam's answer to a ticket check; past it the sign-in answers 503.",
  },
  {
    path: "social.steam.identity",
    type: "string",
    doc: "Identity the game passes to GetAuthTicketForWebApi, sent to Steam with each ticket. Empty: not sent (tickets from GetAuthSessionTicket).",
  },
  {
    path: "social.steam.refuse_vac_banned",
    type: "boolean",
    default: false,
    doc: "Refuse Steam sign-in and linking (403) to players with a VAC ban in this game; otherwise the ban is only recorded.",
  },
  {
    path: "social.timeout_ms",
    type: "integer",
    default: 5000,
    min: 1,
    max: 60_000,
    doc: "Longest wait for one call to a sign-in provider (Apple, Google, Facebook, Game Center, OpenID Connect: keys, discovery, Graph API, certificates); past it the sign-in answers 503 with Retry-After.",
  },
  {
    path: "social.leeway_sec",
    type: "integer",
    default: 60,
    min: 0,
    max: 60,
    doc: "Clock skew allowed when checking a provider token's exp, nbf and iat, a Game Center timestamp's age and a Facebook Instant Games issued_at (at most 60 s).",
  },
  {
    path: "social.apple.bundle_id",
    type: "string",
    doc: "Sign in with Apple: the app's bundle id, or a comma-separated list (bundle ids and Services IDs); an identity token's aud must be one of them. Empty: Apple sign-in is not configured (400).",
  },
  {
    path: "social.apple.jwks_url",
    type: "string",
    default: "https://appleid.apple.com/auth/keys",
    doc: "Apple's signing keys (JWKS); change it only for a proxy or a test double.",
  },
  {
    path: "social.google.client_ids",
    type: "string",
    doc: "Google sign-in: the OAuth client ids (comma-separated: Android, iOS, web) an ID token's aud must be one of. Empty: Google ID tokens are not accepted (400 not configured unless google_auth.credentials_json is set).",
  },
  {
    path: "social.google.jwks_url",
    type: "string",
    default: "https://www.googleapis.com/oauth2/v3/certs",
    doc: "Google's signing keys (JWKS); change it only for a proxy or a test double.",
  },
  {
    path: "social.google.token_url",
    type: "string",
    default: "https://oauth2.googleapis.com/token",
    doc: "Google's OAuth token endpoint, where Play Games server auth codes are exchanged (google_auth.credentials_json's client).",
  },
  {
    path: "social.google.games_player_url",
    type: "string",
    default: "https://www.googleapis.com/games/v1/players/me",
    doc: "Google Play Games' current-player endpoint, asked with the exchanged access token for the player id.",
  },
  {
    path: "google_auth.credentials_json",
    type: "string",
    secret: true,
    doc: 'Google Play Games v2: the OAuth client JSON downloaded from Google Cloud ({"web": {"client_id", "client_secret", …}} or {"installed": …}), used to exchange server auth codes. Empty: auth codes are not accepted.',
  },
  {
    path: "social.facebook.app_id",
    type: "string",
    doc: "Facebook Login: the app id whose user access tokens are accepted (checked with the Graph API's debug_token). Empty (with no limited-login app id): Facebook sign-in is not configured (400).",
  },
  {
    path: "social.facebook.app_secret",
    type: "string",
    secret: true,
    doc: "Facebook Login: the app secret, for debug_token's app access token and appsecret_proof; required with social.facebook.app_id.",
  },
  {
    path: "social.facebook.graph_url",
    type: "string",
    default: "https://graph.facebook.com/v22.0",
    doc: "Base URL of the Facebook Graph API, with its version; change it only for a proxy or a test double.",
  },
  {
    path: "social.facebook_limited_login.app_id",
    type: "string",
    doc: "Facebook Limited Login (iOS): the app id a limited-login JWT's aud must be. Empty: limited-login tokens are not accepted.",
  },
  {
    path: "social.facebook_limited_login.jwks_url",
    type: "string",
    default: "https://limited.facebook.com/.well-known/oauth/openid/jwks/",
    doc: "Facebook Limited Login's signing keys (JWKS); change it only for a proxy or a test double.",
  },
  {
    path: "social.facebook_instant_game.app_secret",
    type: "string",
    secret: true,
    doc: "Facebook Instant Games: the app secret the signed player info is checked with (HMAC-SHA256). Empty: Instant Games sign-in is not configured (400); an empty secret never verifies.",
  },
  {
    path: "social.facebook_instant_game.max_age_sec",
    type: "integer",
    default: 3600,
    min: 60,
    max: 86_400,
    doc: "Oldest signed player info accepted, by its issued_at, in seconds.",
  },
  {
    path: "social.gamecenter.bundle_ids",
    type: "string",
    doc: "Game Center: the bundle ids (comma-separated) a signature may be made for. Empty: Game Center sign-in is not configured (400).",
  },
  {
    path: "social.gamecenter.trust_roots",
    type: "string",
    doc: "Game Center: PEM files (comma-separated paths) of the certificate authorities the public key certificate must chain to (Apple's signing CA chain). Required with social.gamecenter.bundle_ids.",
  },
  {
    path: "social.gamecenter.key_url_pattern",
    type: "string",
    default: "^https://[a-z0-9.-]+\\.apple\\.com/",
    doc: "Game Center: a regular expression the public key URL must match (default: https on an apple.com host); change it only for a test double.",
  },
  {
    path: "social.gamecenter.max_age_sec",
    type: "integer",
    default: 600,
    min: 30,
    max: 86_400,
    doc: "Game Center: oldest signature accepted, by its timestamp, in seconds.",
  },
  {
    path: "social.oidc",
    type: "list",
    doc: "OpenID Connect providers (Epic, Discord, Keycloak, a studio's own): a YAML list of {name, issuer, client_ids, jwks_url?} (JSON in the environment); each signs in at POST /v2/account/authenticate/oidc/<name>. docs/providers.md.",
  },
  {
    path: "metrics.enabled",
    type: "boolean",
    default: true,
    doc: "Serve Prometheus metrics at GET /metrics. false: /metrics answers 404 (docs/operations.md).",
  },
  {
    path: "metrics.token",
    type: "string",
    secret: true,
    env: "TESSERA_METRICS_TOKEN",
    doc: "When set, GET /metrics requires Authorization: Bearer <token>. Empty: anyone who can reach the port can read the metrics.",
  },
  {
    path: "cluster.redis_url",
    type: "string",
    flag: "--redis-url",
    env: "TESSERA_REDIS_URL",
    secret: true,
    doc: "Redis (redis:// or rediss:// URL) that carries revocations to every node's sockets within 1 s. Needs a PostgreSQL database.url and the same signing keys on every node. Empty: no Redis; nodes sharing PostgreSQL then learn revocations from a database poll within 2 s.",
  },
];

/** `socket.port` → `TESSERA_SOCKET_PORT`. */
export function genericEnvName(path: string): string {
  return "TESSERA_" + path.replace(/\./g, "_").toUpperCase();
}
