/**
 * The typed configuration the server runs with, built from defaults, a YAML file, `TESSERA_*`
 * environment variables and command-line flags (later sources win). Invalid input throws a
 * `ConfigError` naming the setting, so start-up stops with a message an operator can act on.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { LogFormat, LogLevel } from "../shared/logger.js";
import { SETTINGS, genericEnvName, type Setting } from "./settings.js";

// Named here too: the log settings are part of the configuration's shape.
export type { LogFormat, LogLevel };

export interface Config {
  production: boolean;
  dataDir: string;
  logger: { level: LogLevel; format: LogFormat; accessLog: boolean };
  metrics: {
    enabled: boolean;
    /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
    token: string | undefined;
  };
  socket: { host: string; port: number; serverKey: string; maxRequestSizeBytes: number; maxConcurrentRequests: number };
  session: {
    encryptionKey: string | undefined;
    refreshEncryptionKey: string | undefined;
    tokenExpirySec: number;
    refreshTokenExpirySec: number;
    refreshReuseGraceSec: number;
    singleSession: boolean;
    singleSocket: boolean;
    /** Undefined: the default for the store (see session.cache_ttl_ms). */
    cacheTtlMs: number | undefined;
  };
  /** Sign-in attempts per minute; 0 disables a limit (docs/security.md). */
  ratelimit: { signinPerIp: number; signinPerIdentifier: number };
  /** Password hashing bound; `passwordHashConcurrency` 0 is automatic. */
  auth: { passwordHashConcurrency: number; passwordHashQueue: number };
  runtime: { path: string | undefined; hookTimeoutMs: number };
  console: { tokenExpirySec: number };
  audit: { retentionDays: number };
  database: { url: string | undefined; synchronous: "normal" | "full" };
  tickets: {
    appId: number;
    requireLicense: boolean;
    ticketExpirySec: number;
    maxOpenPerSession: number;
    validationTimeoutMs: number;
    gameServerTokenExpirySec: number;
    gameServers: GameServerCredential[];
  };
  /** Code-Link sign-in codes (docs/code-link.md). */
  codeLink: { expirySec: number; intervalSec: number; lookupsPerAccount: number; lookupsPerIp: number };
  social: SocialConfig;
  cluster: { redisUrl: string | undefined };
}

/** A game-server credential declared in configuration (`tickets.game_servers`). */
export interface GameServerCredential {
  identity: string;
  secret: string;
}

/** Steam sign-in (docs/steam.md). Configured when `publisherKey` is set; `appId` is then 1 or more. */
export interface SteamConfig {
  publisherKey: string | undefined;
  appId: number;
  /** Base URL of the Steam Web API, without a trailing slash. */
  apiUrl: string;
  timeoutMs: number;
  /** Sent to Steam as `identity` (tickets from GetAuthTicketForWebApi); undefined: not sent. */
  identity: string | undefined;
  refuseVacBanned: boolean;
}

/** The sign-in providers beyond Steam (docs/providers.md). A provider is configured when its ids are set. */
export interface SocialConfig {
  steam: SteamConfig;
  /** Longest wait for one call to a provider. */
  timeoutMs: number;
  /** Clock skew allowed on token times, Game Center timestamps and Instant Games' issued_at (≤ 60 s). */
  leewaySec: number;
  /** Configured when `bundleIds` is not empty: an identity token's `aud` must be one of them. */
  apple: { bundleIds: string[]; jwksUrl: string };
  google: {
    /** ID tokens are accepted when not empty: their `aud` must be one of them. */
    clientIds: string[];
    jwksUrl: string;
    tokenUrl: string;
    gamesPlayerUrl: string;
    /** Play Games server auth codes are exchanged when set (`google_auth.credentials_json`). */
    playGames: GoogleOAuthClient | undefined;
  };
  facebook: {
    /** Graph API access tokens of this app are accepted when set (with its secret). */
    app: { id: string; secret: string } | undefined;
    graphUrl: string;
    /** Limited Login JWTs are accepted when set: their `aud` must be it. */
    limitedLoginAppId: string | undefined;
    limitedLoginJwksUrl: string;
  };
  facebookInstantGame: { appSecret: string | undefined; maxAgeSec: number };
  gamecenter: {
    /** Configured when not empty (then `trustRoots` is too). */
    bundleIds: string[];
    /** Paths of PEM files of the certificate authorities the key certificate must chain to. */
    trustRoots: string[];
    keyUrlPattern: RegExp;
    maxAgeSec: number;
  };
  oidc: OidcProviderConfig[];
}

/** The OAuth client of `google_auth.credentials_json`. */
export interface GoogleOAuthClient {
  clientId: string;
  clientSecret: string;
}

/** One OpenID Connect provider of `social.oidc`. */
export interface OidcProviderConfig {
  /** The route's last segment: `/v2/account/authenticate/oidc/<name>`; also the subject's prefix. */
  name: string;
  /** The issuer (`iss`); discovery is read at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientIds: string[];
  /** The JWKS URL; undefined: the discovery document's `jwks_uri`. */
  jwksUrl: string | undefined;
}

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`Invalid configuration: ${setting}: ${message}`);
    this.name = "ConfigError";
  }
}

type RawValue = string | number | boolean;
type Raw = Map<string, { value: unknown; source: string }>;

export interface ConfigSources {
  /** Command-line arguments after the sub-command (`--port 0 --data-dir x`). */
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Values set programmatically (tests, embedding); they win over everything else. */
  overrides?: Readonly<Record<string, RawValue>>;
}

const BY_PATH = new Map(SETTINGS.map((s) => [s.path, s]));
const BY_FLAG = new Map<string, Setting>();
for (const s of SETTINGS) {
  BY_FLAG.set("--" + s.path, s);
  if (s.flag) BY_FLAG.set(s.flag, s);
}

/** Loads and validates the configuration. Throws `ConfigError` on any invalid setting. */
export function loadConfig(sources: ConfigSources = {}): Config {
  return build(collect(sources));
}

/** A setting's effective value and where it came from (`tessera config check`). */
export interface EffectiveSetting {
  path: string;
  /** Undefined when unset without a default; secrets are never shown, only whether they are set. */
  value: string | number | boolean | undefined;
  secret: boolean;
  /** "default", "environment TESSERA_…", "flag --…" or the YAML file's path. */
  source: string;
}

/** Every setting's effective value; call after `loadConfig` accepted the same sources. */
export function effectiveSettings(sources: ConfigSources = {}): EffectiveSetting[] {
  const raw = collect(sources);
  return SETTINGS.map((s) => {
    const entry = raw.get(s.path);
    const set = entry !== undefined && entry.value !== null && entry.value !== "";
    const value = set ? coerce(s, entry.value, entry.source) : s.default;
    return { path: s.path, value, secret: s.secret === true, source: set ? entry.source : "default" };
  });
}

function collect(sources: ConfigSources): Raw {
  const raw: Raw = new Map();
  const env = sources.env ?? {};
  const flags = parseFlags(sources.argv ?? []);

  const configFile = flags.configFile ?? env["TESSERA_CONFIG"];
  if (configFile !== undefined) readYaml(configFile, raw);

  for (const s of SETTINGS) {
    for (const name of [genericEnvName(s.path), s.env]) {
      if (name === undefined) continue;
      const v = env[name];
      if (v !== undefined && v !== "") raw.set(s.path, { value: v, source: `environment ${name}` });
    }
  }
  for (const [path, entry] of flags.values) raw.set(path, entry);
  for (const [path, value] of Object.entries(sources.overrides ?? {})) {
    if (!BY_PATH.has(path)) throw new ConfigError(path, "unknown setting");
    raw.set(path, { value, source: "override" });
  }
  return raw;
}

interface ParsedFlags {
  configFile: string | undefined;
  values: Raw;
}

function parseFlags(argv: readonly string[]): ParsedFlags {
  const values: Raw = new Map();
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new ConfigError(arg, "unexpected argument (settings are given as --name value)");
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (name === "--config") {
      value ??= argv[++i];
      if (value === undefined) throw new ConfigError("--config", "needs a file path");
      configFile = value;
      continue;
    }
    const setting = BY_FLAG.get(name);
    if (!setting) throw new ConfigError(name, "unknown flag (see `tessera serve --help`)");
    if (value === undefined) {
      const next = argv[i + 1];
      if (setting.type === "boolean" && (next === undefined || next.startsWith("--"))) value = "true";
      else {
        value = next;
        i++;
      }
    }
    if (value === undefined) throw new ConfigError(name, "needs a value");
    values.set(setting.path, { value, source: `flag ${name}` });
  }
  return { configFile, values };
}

function readYaml(file: string, raw: Raw): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError("--config", `cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError("--config", `${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return;
  flatten(doc, "", raw, file);
}

function flatten(node: unknown, prefix: string, raw: Raw, file: string): void {
  if (typeof node !== "object" || node === null || Array.isArray(node)) {
    throw new ConfigError(prefix || "(root)", `expected a mapping in ${file}`);
  }
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (BY_PATH.has(path)) {
      raw.set(path, { value, source: file });
    } else if (typeof value === "object" && value !== null && !Array.isArray(value) && SETTINGS.some((s) => s.path.startsWith(path + "."))) {
      flatten(value, path, raw, file);
    } else {
      throw new ConfigError(path, `unknown setting in ${file}`);
    }
  }
}

function coerce(setting: Setting, value: unknown, source: string): RawValue {
  const where = `${value === "" ? "empty value" : JSON.stringify(value)} (from ${source})`;
  switch (setting.type) {
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && /^(true|1|yes|on)$/i.test(value)) return true;
      if (typeof value === "string" && /^(false|0|no|off)$/i.test(value)) return false;
      throw new ConfigError(setting.path, `expected true or false, got ${where}`);
    case "integer":
    case "port": {
      const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) throw new ConfigError(setting.path, `expected a whole number, got ${where}`);
      if (setting.type === "port" && (n < 0 || n > 65535)) throw new ConfigError(setting.path, `expected a port from 0 to 65535, got ${where}`);
      if (setting.min !== undefined && n < setting.min) throw new ConfigError(setting.path, `must be at least ${setting.min}, got ${where}`);
      if (setting.max !== undefined && n > setting.max) throw new ConfigError(setting.path, `must be at most ${setting.max}, got ${where}`);
      return n;
    }
    case "credentials":
    case "list":
      // A YAML list arrives as an array; the environment and flags give JSON. Checked in build().
      if (Array.isArray(value)) return JSON.stringify(value);
      if (typeof value === "string") return value;
      throw new ConfigError(setting.path, `expected a list, got ${where}`);
    case "string":
      if (typeof value === "string") return value;
      if (typeof value === "number") return String(value);
      throw new ConfigError(setting.path, `expected a string, got ${where}`);
  }
}

function build(raw: Raw): Config {
  const get = <T extends RawValue | undefined>(path: string): T => {
    const setting = BY_PATH.get(path)!;
    const entry = raw.get(path);
    if (entry === undefined || entry.value === null) return setting.default as T;
    return coerce(setting, entry.value, entry.source) as T;
  };
  const optional = (path: string): string | undefined => {
    const v = get<string | undefined>(path);
    return v === undefined || v === "" ? undefined : v;
  };

  const level = get<string>("logger.level");
  if (!LOG_LEVELS.includes(level as LogLevel)) throw new ConfigError("logger.level", `expected one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(level)}`);
  const format = get<string>("logger.format").toLowerCase();
  if (!LOG_FORMATS.includes(format as LogFormat))
    throw new ConfigError("logger.format", `expected one of ${LOG_FORMATS.join(", ")}, got ${JSON.stringify(format)}`);
  const synchronous = get<string>("database.synchronous").toLowerCase();
  if (synchronous !== "normal" && synchronous !== "full")
    throw new ConfigError("database.synchronous", `expected normal or full, got ${JSON.stringify(synchronous)}`);
  const serverKey = get<string>("socket.server_key");
  if (serverKey === "") throw new ConfigError("socket.server_key", "must not be empty");
  const dataDir = get<string>("data_dir");
  if (dataDir === "") throw new ConfigError("data_dir", "must not be empty");

  const config: Config = {
    production: get<boolean>("production"),
    dataDir,
    logger: { level: level as LogLevel, format: format as LogFormat, accessLog: get<boolean>("logger.access_log") },
    metrics: { enabled: get<boolean>("metrics.enabled"), token: optional("metrics.token") },
    socket: {
      host: get<string>("socket.host"),
      port: get<number>("socket.port"),
      serverKey,
      maxRequestSizeBytes: get<number>("socket.max_request_size_bytes"),
      maxConcurrentRequests: get<number>("socket.max_concurrent_requests"),
    },
    session: {
      encryptionKey: optional("session.encryption_key"),
      refreshEncryptionKey: optional("session.refresh_encryption_key"),
      tokenExpirySec: get<number>("session.token_expiry_sec"),
      refreshTokenExpirySec: get<number>("session.refresh_token_expiry_sec"),
      refreshReuseGraceSec: get<number>("session.refresh_reuse_grace_sec"),
      singleSession: get<boolean>("session.single_session"),
      singleSocket: get<boolean>("session.single_socket"),
      cacheTtlMs: get<number | undefined>("session.cache_ttl_ms"),
    },
    ratelimit: { signinPerIp: get<number>("ratelimit.signin_per_ip"), signinPerIdentifier: get<number>("ratelimit.signin_per_identifier") },
    auth: { passwordHashConcurrency: get<number>("auth.password_hash_concurrency"), passwordHashQueue: get<number>("auth.password_hash_queue") },
    runtime: { path: optional("runtime.path"), hookTimeoutMs: get<number>("runtime.hook_timeout_ms") },
    console: { tokenExpirySec: get<number>("console.token_expiry_sec") },
    audit: { retentionDays: get<number>("audit.retention_days") },
    database: { url: optional("database.url"), synchronous },
    tickets: {
      appId: get<number>("tickets.app_id"),
      requireLicense: get<boolean>("tickets.require_license"),
      ticketExpirySec: get<number>("tickets.ticket_expiry_sec"),
      maxOpenPerSession: get<number>("tickets.max_open_per_session"),
      validationTimeoutMs: get<number>("tickets.validation_timeout_ms"),
      gameServerTokenExpirySec: get<number>("tickets.game_server_token_expiry_sec"),
      gameServers: gameServerCredentials(optional("tickets.game_servers")),
    },
    codeLink: {
      expirySec: get<number>("code_link.expiry_sec"),
      intervalSec: get<number>("code_link.interval_sec"),
      lookupsPerAccount: get<number>("code_link.lookups_per_account"),
      lookupsPerIp: get<number>("code_link.lookups_per_ip"),
    },
    social: {
      steam: {
        publisherKey: optional("social.steam.publisher_key"),
        appId: get<number>("social.steam.app_id"),
        apiUrl: checkHttpUrl("social.steam.api_url", get<string>("social.steam.api_url")),
        timeoutMs: get<number>("social.steam.timeout_ms"),
        identity: optional("social.steam.identity"),
        refuseVacBanned: get<boolean>("social.steam.refuse_vac_banned"),
      },
      ...socialProviders(get, optional),
    },
    cluster: { redisUrl: optional("cluster.redis_url") },
  };
  const postgres = namesPostgres(config.database);
  if (postgres) checkPostgresUrl(config.database.url!);
  checkSteam(config.social.steam);
  if (config.session.encryptionKey !== undefined && config.session.encryptionKey === config.session.refreshEncryptionKey) {
    throw new ConfigError("session.refresh_encryption_key", "must differ from session.encryption_key");
  }
  if (config.cluster.redisUrl !== undefined) checkClusterSettings(config.cluster.redisUrl, postgres, config.session);
  return config;
}

/** True when `database.url` is meant for PostgreSQL (then checked as such) rather than a SQLite path. */
export function namesPostgres(database: Config["database"]): boolean {
  return database.url !== undefined && /^postgres(ql)?:/i.test(database.url);
}

/**
 * Redis means several nodes. They must share the database (a SQLite file belongs to one process)
 * and sign with the same keys: keys generated into each node's data directory would make every
 * node refuse the others' tokens.
 */
function checkClusterSettings(url: string, postgres: boolean, session: Config["session"]): void {
  checkRedisUrl(url);
  if (!postgres) {
    throw new ConfigError(
      "cluster.redis_url",
      "needs a PostgreSQL database.url (postgres://...): nodes of a cluster share one database, and a SQLite file belongs to one process",
    );
  }
  for (const [setting, key] of [
    ["session.encryption_key", session.encryptionKey],
    ["session.refresh_encryption_key", session.refreshEncryptionKey],
  ] as const) {
    if (key === undefined) {
      throw new ConfigError(
        setting,
        "must be set, to the same value on every node, when cluster.redis_url is set: keys generated per node would make each node refuse the tokens of the others",
      );
    }
  }
}

/** A `cluster.redis_url` must be a redis:// or rediss:// URL with a host; the message never repeats a password. */
function checkRedisUrl(url: string): void {
  checkServiceUrl("cluster.redis_url", url, /^rediss?:$/i, "expected redis://[user:password@]host[:port][/db] or rediss://...");
}

/** A PostgreSQL `database.url` must parse as a URL with a host; the message never repeats a password. */
function checkPostgresUrl(url: string): void {
  checkServiceUrl("database.url", url, /^postgres(ql)?:$/i, "expected postgres://user[:password]@host[:port]/database");
}

/** `scheme://host[:port]…` with a scheme matching `scheme`; errors name the setting and what was expected, never the value. */
function checkServiceUrl(setting: string, url: string, scheme: RegExp, expected: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(setting, `${expected}; the value does not parse as a URL`);
  }
  if (!scheme.test(parsed.protocol)) throw new ConfigError(setting, `${expected}; got scheme ${JSON.stringify(parsed.protocol)}`);
  if (!url.slice(parsed.protocol.length).startsWith("//"))
    throw new ConfigError(setting, `${expected}; "//" is missing after ${JSON.stringify(parsed.protocol)}`);
  if (parsed.hostname === "") throw new ConfigError(setting, `${expected}; the host is missing`);
  if (parsed.port !== "" && !(Number(parsed.port) >= 1 && Number(parsed.port) <= 65535)) {
    throw new ConfigError(setting, `${expected}; port ${parsed.port} is out of range`);
  }
}

/** Minimum length of a game-server secret: 32 characters of a random string carry ≥ 128 bits. */
export const MIN_GAME_SERVER_SECRET_LENGTH = 32;

/** Parses and checks `tickets.game_servers` (JSON text of a list of {identity, secret}). */
function gameServerCredentials(text: string | undefined): GameServerCredential[] {
  const setting = "tickets.game_servers";
  if (text === undefined) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new ConfigError(setting, "expected a list of {identity, secret} (JSON in the environment or on the command line)");
  }
  if (!Array.isArray(list)) throw new ConfigError(setting, "expected a list of {identity, secret}");
  const seen = new Set<string>();
  return list.map((entry: unknown, i) => {
    const e = entry as { identity?: unknown; secret?: unknown } | null;
    if (typeof e !== "object" || e === null || Array.isArray(e)) throw new ConfigError(`${setting}[${i}]`, "expected {identity, secret}");
    const extra = Object.keys(e).filter((k) => k !== "identity" && k !== "secret");
    if (extra.length > 0) throw new ConfigError(`${setting}[${i}]`, `unknown field ${JSON.stringify(extra[0])}`);
    const { identity, secret } = e;
    if (typeof identity !== "string" || identity === "" || Buffer.byteLength(identity) > 128 || /[\u0000-\u001f\u007f]/.test(identity)) {
      throw new ConfigError(`${setting}[${i}].identity`, "must be 1-128 bytes without control characters");
    }
    if (seen.has(identity)) throw new ConfigError(`${setting}[${i}].identity`, `${JSON.stringify(identity)} is declared twice`);
    seen.add(identity);
    if (typeof secret !== "string" || secret.length < MIN_GAME_SERVER_SECRET_LENGTH) {
      throw new ConfigError(`${setting}[${i}].secret`, `must be a string of at least ${MIN_GAME_SERVER_SECRET_LENGTH} characters (use a random one)`);
    }
    return { identity, secret };
  });
}

type Get = <T extends RawValue | undefined>(path: string) => T;

/** The providers beyond Steam, checked so that a half-configured provider stops start-up with the setting named. */
function socialProviders(get: Get, optional: (path: string) => string | undefined): Omit<SocialConfig, "steam"> {
  const url = (path: string) => checkEndpointUrl(path, get<string>(path));
  const facebookId = optional("social.facebook.app_id");
  const facebookSecret = optional("social.facebook.app_secret");
  if (facebookId !== undefined && facebookSecret === undefined) {
    throw new ConfigError("social.facebook.app_secret", "must be set with social.facebook.app_id (debug_token needs the app's secret)");
  }
  if (facebookId === undefined && facebookSecret !== undefined) throw new ConfigError("social.facebook.app_id", "must be set with social.facebook.app_secret");
  const gamecenterBundles = commaList(optional("social.gamecenter.bundle_ids"));
  const trustRoots = commaList(optional("social.gamecenter.trust_roots"));
  if (gamecenterBundles.length > 0 && trustRoots.length === 0) {
    throw new ConfigError(
      "social.gamecenter.trust_roots",
      "must name the PEM file(s) of the CA the Game Center key certificate chains to, with social.gamecenter.bundle_ids",
    );
  }
  const pattern = get<string>("social.gamecenter.key_url_pattern");
  let keyUrlPattern: RegExp;
  try {
    keyUrlPattern = new RegExp(pattern);
  } catch (err) {
    throw new ConfigError("social.gamecenter.key_url_pattern", `is not a regular expression: ${(err as Error).message}`);
  }
  return {
    timeoutMs: get<number>("social.timeout_ms"),
    leewaySec: get<number>("social.leeway_sec"),
    apple: { bundleIds: commaList(optional("social.apple.bundle_id")), jwksUrl: url("social.apple.jwks_url") },
    google: {
      clientIds: commaList(optional("social.google.client_ids")),
      jwksUrl: url("social.google.jwks_url"),
      tokenUrl: url("social.google.token_url"),
      gamesPlayerUrl: url("social.google.games_player_url"),
      playGames: googleOAuthClient(optional("google_auth.credentials_json")),
    },
    facebook: {
      app: facebookId !== undefined && facebookSecret !== undefined ? { id: facebookId, secret: facebookSecret } : undefined,
      graphUrl: url("social.facebook.graph_url").replace(/\/+$/, ""),
      limitedLoginAppId: optional("social.facebook_limited_login.app_id"),
      limitedLoginJwksUrl: url("social.facebook_limited_login.jwks_url"),
    },
    facebookInstantGame: { appSecret: optional("social.facebook_instant_game.app_secret"), maxAgeSec: get<number>("social.facebook_instant_game.max_age_sec") },
    gamecenter: { bundleIds: gamecenterBundles, trustRoots, keyUrlPattern, maxAgeSec: get<number>("social.gamecenter.max_age_sec") },
    oidc: oidcProviders(optional("social.oidc")),
  };
}

/** `a, b ,c` → `["a", "b", "c"]`; empty entries dropped. */
function commaList(value: string | undefined): string[] {
  return value === undefined
    ? []
    : value
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
}

/** `google_auth.credentials_json`: Google Cloud's OAuth client file, `{web: {...}}` or `{installed: {...}}`. */
function googleOAuthClient(text: string | undefined): GoogleOAuthClient | undefined {
  const setting = "google_auth.credentials_json";
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ConfigError(setting, "is not JSON (paste the OAuth client file downloaded from Google Cloud)");
  }
  const d = doc as { web?: unknown; installed?: unknown } | null;
  const client = (typeof d === "object" && d !== null ? (d.web ?? d.installed) : undefined) as { client_id?: unknown; client_secret?: unknown } | undefined;
  if (typeof client !== "object" || client === null) throw new ConfigError(setting, 'expected {"web": {"client_id", "client_secret", …}} or {"installed": …}');
  if (typeof client.client_id !== "string" || client.client_id === "") throw new ConfigError(setting, "has no client_id");
  if (typeof client.client_secret !== "string" || client.client_secret === "") throw new ConfigError(setting, "has no client_secret");
  return { clientId: client.client_id, clientSecret: client.client_secret };
}

const OIDC_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** `social.oidc` (JSON text of a list of {name, issuer, client_ids, jwks_url?}). */
function oidcProviders(text: string | undefined): OidcProviderConfig[] {
  const setting = "social.oidc";
  if (text === undefined) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new ConfigError(setting, "expected a list of {name, issuer, client_ids} (JSON in the environment or on the command line)");
  }
  if (!Array.isArray(list)) throw new ConfigError(setting, "expected a list of {name, issuer, client_ids}");
  const seen = new Set<string>();
  return list.map((entry: unknown, i) => {
    const at = `${setting}[${i}]`;
    const e = entry as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null || Array.isArray(e)) throw new ConfigError(at, "expected {name, issuer, client_ids, jwks_url?}");
    const extra = Object.keys(e).filter((k) => !["name", "issuer", "client_ids", "jwks_url"].includes(k));
    if (extra.length > 0) throw new ConfigError(`${at}.${extra[0]}`, "unknown field (expected name, issuer, client_ids and optionally jwks_url)");
    const { name, issuer, client_ids: clientIds, jwks_url: jwksUrl } = e;
    if (typeof name !== "string" || !OIDC_NAME.test(name))
      throw new ConfigError(`${at}.name`, "must be 1-32 of a-z, 0-9, _ and -, starting with a letter or digit");
    if (seen.has(name)) throw new ConfigError(`${at}.name`, `${JSON.stringify(name)} is declared twice`);
    seen.add(name);
    if (typeof issuer !== "string") throw new ConfigError(`${at}.issuer`, "must be the provider's issuer URL");
    checkEndpointUrl(`${at}.issuer`, issuer);
    const ids = typeof clientIds === "string" ? commaList(clientIds) : clientIds;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === "string" && id !== "")) {
      throw new ConfigError(`${at}.client_ids`, "must be a non-empty list of the client ids a token's aud may name");
    }
    if (jwksUrl !== undefined && typeof jwksUrl !== "string") throw new ConfigError(`${at}.jwks_url`, "must be a URL");
    return { name, issuer, clientIds: ids as string[], jwksUrl: jwksUrl === undefined ? undefined : checkEndpointUrl(`${at}.jwks_url`, jwksUrl) };
  });
}

/** An http(s) URL a provider is called at, kept exactly as written (a JWKS path may end in `/`). */
function checkEndpointUrl(setting: string, value: string): string {
  checkHttpUrl(setting, value);
  return value;
}

/** Steam app ids are unsigned 32-bit; a publisher key without an app id could never check a ticket. */
function checkSteam(steam: SteamConfig): void {
  if (steam.appId > 0xffff_ffff) throw new ConfigError("social.steam.app_id", `must be at most 4294967295, got ${steam.appId}`);
  if (steam.publisherKey !== undefined && steam.appId === 0) {
    throw new ConfigError("social.steam.app_id", "must be set (your game's Steam app id) when social.steam.publisher_key is set");
  }
}

/** An http(s) base URL without query, fragment or credentials; returned without its trailing slashes. */
function checkHttpUrl(setting: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(setting, `expected an http:// or https:// URL, got ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(setting, `expected an http:// or https:// URL, got scheme ${JSON.stringify(parsed.protocol)}`);
  }
  if (parsed.search !== "" || parsed.hash !== "") throw new ConfigError(setting, "must not have a query or a fragment");
  if (parsed.username !== "" || parsed.password !== "") throw new ConfigError(setting, "must not carry credentials");
  return value.replace(/\/+$/, "");
}
