/**
 * The manifest of the upgrade fixture (test/fixtures/upgrade-<release>/manifest.json): what
 * make-fixture.ts created through the previous release's HTTP API and CLI, and what upgrade.test.ts
 * expects to find after the current release migrated the database. Imports nothing from src/, so
 * it compiles in the previous release's tree too.
 */

/** The release the fixture was made with. */
export const FIXTURE_RELEASE = "0567eed";
export const FIXTURE_DIR_NAME = `upgrade-${FIXTURE_RELEASE}`;
export const SQLITE_FILE = "tessera.db";
export const POSTGRES_DUMP_FILE = "postgres.sql";
export const MANIFEST_FILE = "manifest.json";

/** Ten years: the committed tokens stay valid as long as the fixture is used. */
export const TEN_YEARS_SEC = 10 * 365 * 24 * 3600;

/** The server settings the fixture was made with; the test starts the current release with them. */
export const FIXTURE_SETTINGS = {
  "socket.server_key": "upgrade-fixture-server-key",
  "session.encryption_key": "upgrade-fixture-access-token-key-0123456789abcdef0123456789abcdef",
  "session.refresh_encryption_key": "upgrade-fixture-refresh-token-key-0123456789abcdef0123456789abcd",
  "session.token_expiry_sec": TEN_YEARS_SEC,
  "session.refresh_token_expiry_sec": TEN_YEARS_SEC,
  "tickets.game_server_token_expiry_sec": TEN_YEARS_SEC,
  "tickets.require_license": true,
  "tickets.app_id": 480,
  "ratelimit.signin_per_ip": 0,
  "ratelimit.signin_per_identifier": 0,
} as const;

/** The Steam facts of one Steam identity (what the fake Steam answers for its tickets). */
export interface SteamFacts {
  steamId: string;
  ownerSteamId: string;
  vacBanned: boolean;
}

/** How a fixture account signs in. */
export interface Credentials {
  devices: string[];
  /** As typed at sign-up (mixed case); stored lower-cased. */
  email?: { address: string; password: string };
  customId?: string;
  steam?: SteamFacts;
}

export interface FixtureSession {
  /** The session id (the token's `sid` claim). */
  id: string;
  token: string;
  refreshToken: string;
}

export interface FixtureAccount {
  /** What the account stands for in the test's messages ("four devices", "steam borrowed"). */
  label: string;
  id: string;
  username: string;
  credentials: Credentials;
  /** A live session, signed in with the previous release. */
  session: FixtureSession;
  /** GET /v2/account as the previous release answered it with `session.token` (online left out). */
  account: Record<string, unknown>;
  /** The console account page's `account` and `licenses` as the previous release showed them. */
  console: { account: Record<string, unknown>; licenses: Record<string, unknown> };
}

export interface FixtureConsoleUser {
  username: string;
  password: string;
  role: "admin" | "viewer";
}

/** What one backend's fixture holds. */
export interface BackendFixture {
  accounts: FixtureAccount[];
  /** Set by SQL after the API work: the previous release has no API that writes metadata. */
  metadata: { accountId: string; json: string };
  /** A session its player logged out of: both tokens are refused. */
  loggedOut: { accountId: string; session: FixtureSession };
  /** Banned from the console (kind vac): sign-in with its device is refused. */
  banned: { accountId: string; deviceId: string; kind: string; reason: string; console: Record<string, unknown> };
  /** Identities linked and unlinked again before the upgrade: they sign in nowhere. */
  unlinked: { devices: string[]; customIds: string[] };
  gameServer: { identity: string; secret: string; token: string };
  /** The ticket signing keys: the first retired by `tessera keys rotate`, the second signing. */
  ticketKeys: { retiredKid: string; signingKid: string };
  /** Auth sessions begun by the game server: one ended, one live. */
  authSessions: { liveId: string; liveUserId: string; endedId: string; endedUserId: string };
  /** Steam accounts' own licenses granted from the console; one lent to another account. */
  licenses: { ownerId: string; borrowerId: string; ownOnlyId: string };
  consoleUsers: FixtureConsoleUser[];
  /** The console's audit log (newest first) at the end, as the previous release listed it. */
  auditEvents: { id: string }[];
  /** Rows per table as the previous release left them. */
  rowCounts: Record<string, number>;
}

export interface FixtureManifest {
  release: string;
  settings: Record<string, string | number | boolean>;
  sqlite: BackendFixture;
  postgres: BackendFixture;
}

/** The tables of the previous release whose rows the test counts before and after. */
export const COUNTED_TABLES = [
  "accounts",
  "account_devices",
  "sessions",
  "ticket_keys",
  "auth_tickets",
  "auth_sessions",
  "auth_session_events",
  "licenses",
  "game_servers",
  "console_users",
  "console_sessions",
  "audit_events",
  "schema_migrations",
] as const;
