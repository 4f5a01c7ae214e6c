/**
 * Upgrading in place: a database made by the release before the identities migration (the
 * committed fixture of test/upgrade/make-fixture.ts, on SQLite and PostgreSQL) is opened by this
 * release, which migrates it at start (and with `tessera migrate`), and then used as players, game
 * servers, operators and the console would: the old tokens, credentials, bans, tickets, licenses,
 * keys, console users and audit events all still hold.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { startFakeSteam, type FakeSteam } from "../support/fake-steam.js";
import { WatchedSocket } from "../support/watched-socket.js";
import { claimsOf, runCli, startTestServer, tempDir, type ApiResponse, type TestServer } from "../support/harness.js";
import { createTestDatabase, dropTestDatabase, postgresSkip } from "../support/postgres.js";
import {
  COUNTED_TABLES,
  FIXTURE_DIR_NAME,
  MANIFEST_FILE,
  POSTGRES_DUMP_FILE,
  SQLITE_FILE,
  type BackendFixture,
  type FixtureAccount,
  type FixtureManifest,
} from "../upgrade/fixture-manifest.js";

const FIXTURE = fileURLToPath(new URL(`../fixtures/${FIXTURE_DIR_NAME}/`, import.meta.url));
const manifest = JSON.parse(readFileSync(join(FIXTURE, MANIFEST_FILE), "utf8")) as FixtureManifest;
const SERVER_KEY = String(manifest.settings["socket.server_key"]);
/** The fixture's audit events must outlive the default retention, whatever its age. */
const TEST_SETTINGS = { ...manifest.settings, "audit.retention_days": 0 };
const IDENTITIES_VERSION = 7;
/** The newest schema: the identities migration, then the code links table. */
const NEWEST_VERSION = 8;
const pgSkip = await postgresSkip();

/** A copy of one backend's fixture database, reachable by SQL and by a data directory's configuration. */
interface FixtureCopy {
  backend: "sqlite" | "postgres";
  dataDir: string;
  /** Server settings that point at the copy. */
  settings: Record<string, string>;
  /** CLI flags that point at the copy. */
  cliArgs: string[];
  rows<T>(sql: string): Promise<T[]>;
  remove(): Promise<void>;
}

async function sqliteCopy(): Promise<FixtureCopy> {
  const dir = tempDir("tessera-upgrade-");
  const file = join(dir.path, "tessera.db");
  copyFileSync(join(FIXTURE, SQLITE_FILE), file);
  return {
    backend: "sqlite",
    dataDir: dir.path,
    settings: {},
    cliArgs: [],
    rows: async <T>(sql: string) => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    },
    remove: async () => dir.remove(),
  };
}

async function postgresCopy(): Promise<FixtureCopy> {
  const dir = tempDir("tessera-upgrade-pg-");
  const database = await createTestDatabase();
  execFileSync("psql", ["--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-d", database.url, "-f", join(FIXTURE, POSTGRES_DUMP_FILE)], { stdio: "pipe" });
  return {
    backend: "postgres",
    dataDir: dir.path,
    settings: { "database.url": database.url },
    cliArgs: ["--database-url", database.url],
    rows: async <T>(sql: string) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query(sql)).rows as T[];
      } finally {
        await client.end();
      }
    },
    remove: async () => {
      await dropTestDatabase(database.name);
      dir.remove();
    },
  };
}

async function rowCounts(copy: FixtureCopy, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await copy.rows<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
  return counts;
}

async function tableNames(copy: FixtureCopy): Promise<string[]> {
  const rows = await copy.rows<{ name: string }>(
    copy.backend === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type = 'table'"
      : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
  );
  return rows.map((r) => r.name).sort();
}

/** Identities the fixture's credentials add up to, by provider (the banned player's device included). */
function expectedIdentities(fixture: BackendFixture): Record<string, number> {
  const counts: Record<string, number> = { device: 1, email: 0, custom: 0, steam: 0 };
  for (const a of fixture.accounts) {
    counts["device"]! += a.credentials.devices.length;
    if (a.credentials.email) counts["email"]! += 1;
    if (a.credentials.customId) counts["custom"]! += 1;
    if (a.credentials.steam) counts["steam"]! += 1;
  }
  return counts;
}

async function identityCounts(copy: FixtureCopy): Promise<Record<string, number>> {
  const rows = await copy.rows<{ provider: string; n: number | string }>("SELECT provider, count(*) AS n FROM identities GROUP BY provider");
  return Object.fromEntries(rows.map((r) => [r.provider, Number(r.n)]));
}

function ok<T>(res: ApiResponse<T>, what: string): T {
  assert.equal(res.status, 200, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The account JSON without `online` (a socket's presence, not stored). */
function stored(account: Record<string, unknown>): Record<string, unknown> {
  const user = { ...(account["user"] as Record<string, unknown>) };
  delete user["online"];
  return { ...account, user };
}

interface SessionJson {
  token: string;
  refresh_token: string;
  created?: boolean;
}

interface ConsoleDetail {
  account: Record<string, unknown>;
  licenses: Record<string, unknown>;
  sessions: { id: string }[];
}

interface AuditEvent {
  id: string;
}

function upgradeSuite(title: string, fixture: BackendFixture, makeCopy: () => Promise<FixtureCopy>, skip: string | false): void {
  describe(title, { skip }, () => {
    let copy: FixtureCopy;
    let steam: FakeSteam;
    let t: TestServer;
    let countsBefore: Record<string, number>;
    let countsAtStart: Record<string, number>;
    let identitiesAtStart: Record<string, number>;
    let admin = "";
    const kept = COUNTED_TABLES.filter((table) => table !== "account_devices" && table !== "schema_migrations");

    before(async () => {
      copy = await makeCopy();
      countsBefore = await rowCounts(copy, COUNTED_TABLES);
      steam = await startFakeSteam();
      t = await startTestServer({ ...TEST_SETTINGS, ...steam.settings(), ...copy.settings }, copy.dataDir);
      countsAtStart = await rowCounts(copy, [...kept, "schema_migrations", "identities"]);
      identitiesAtStart = await identityCounts(copy);
    });
    after(async () => {
      await t?.stop();
      await steam?.close();
      await copy?.remove();
    });

    const account = (label: string): FixtureAccount => {
      const found = fixture.accounts.find((a) => a.label === label);
      assert.ok(found, `fixture account ${label}`);
      return found;
    };
    const consoleSignIn = async (username: string, password: string): Promise<string> =>
      ok(await t.api.call<{ token: string }>("POST", "/v2/console/authenticate", { body: { username, password } }), `console sign-in ${username}`).token;

    it("starts on the fixture as the previous release left it, and migrates it at start to the identities schema and on", async () => {
      assert.deepEqual(countsBefore, fixture.rowCounts);
      assert.equal(await t.server.core.store.schemaVersion(), NEWEST_VERSION);
      const tables = await tableNames(copy);
      assert.ok(tables.includes("identities"), tables.join(","));
      assert.ok(!tables.includes("account_devices"), tables.join(","));
      assert.ok(tables.includes("code_links"), tables.join(","));
    });

    it("keeps every row: accounts, sessions, tickets, auth sessions, licenses, keys, game servers, console users and sessions, audit events", async () => {
      const expected: Record<string, number> = {};
      for (const table of kept) expected[table] = fixture.rowCounts[table]!;
      expected["schema_migrations"] = fixture.rowCounts["schema_migrations"]! + (NEWEST_VERSION - IDENTITIES_VERSION + 1);
      const identities = expectedIdentities(fixture);
      expected["identities"] = Object.values(identities).reduce((a, b) => a + b, 0);
      assert.equal(identities["device"], fixture.rowCounts["account_devices"]);
      assert.deepEqual(countsAtStart, expected);
      assert.deepEqual(identitiesAtStart, identities);
    });

    it("serves each old access token the same account, identities and profile (devices in link order, email, custom id, Steam id, metadata)", async () => {
      for (const a of fixture.accounts) {
        const res = await t.api.withToken<Record<string, unknown>>("GET", "/v2/account", a.session.token);
        assert.deepEqual(stored(ok(res, a.label)), a.account, a.label);
      }
      const withMetadata = fixture.accounts.find((a) => a.id === fixture.metadata.accountId);
      assert.equal((withMetadata?.account["user"] as Record<string, unknown>)["metadata"], fixture.metadata.json);
    });

    it("shows the console each account page as before: identities, Steam owner and VAC status, ban, licenses", async () => {
      admin = await consoleSignIn(fixture.consoleUsers[0]!.username, fixture.consoleUsers[0]!.password);
      for (const a of fixture.accounts) {
        const detail = ok(await t.api.withToken<ConsoleDetail>("GET", `/v2/console/accounts/${a.id}`, admin), a.label);
        assert.deepEqual(stored(detail.account), a.console.account, a.label);
        assert.deepEqual(detail.licenses, a.console.licenses, a.label);
        assert.ok(
          detail.sessions.some((s) => s.id === a.session.id),
          `${a.label}: its session is listed`,
        );
      }
      const borrowed = ok(await t.api.withToken<ConsoleDetail>("GET", `/v2/console/accounts/${account("steam borrowed").id}`, admin), "borrowed").account;
      assert.deepEqual([borrowed["steam_owner_id"], borrowed["steam_vac_banned"]], [account("steam owner").credentials.steam?.steamId, false]);
      const vac = ok(await t.api.withToken<ConsoleDetail>("GET", `/v2/console/accounts/${account("steam vac banned").id}`, admin), "vac").account;
      assert.equal(vac["steam_vac_banned"], true);
      const banned = ok(await t.api.withToken<ConsoleDetail>("GET", `/v2/console/accounts/${fixture.banned.accountId}`, admin), "banned");
      assert.deepEqual(stored(banned.account), fixture.banned.console);
    });

    it("finds each account in the console's search by every identity it had", async () => {
      const find = async (field: string, q: string): Promise<string[]> =>
        ok(
          await t.api.withToken<{ accounts: { id: string }[] }>("GET", `/v2/console/accounts?field=${field}&q=${encodeURIComponent(q)}`, admin),
          `search ${field} ${q}`,
        ).accounts.map((a) => a.id);
      for (const a of fixture.accounts) {
        const c = a.credentials;
        for (const device of c.devices) assert.deepEqual(await find("device", device), [a.id], `${a.label} device ${device}`);
        if (c.email) assert.deepEqual(await find("email", c.email.address.toLowerCase()), [a.id], `${a.label} email`);
        if (c.customId) assert.deepEqual(await find("custom_id", c.customId), [a.id], `${a.label} custom id`);
        if (c.steam) assert.deepEqual(await find("steam_id", c.steam.steamId), [a.id], `${a.label} steam id`);
        if (c.steam) assert.deepEqual(await find("any", c.steam.steamId), [a.id], `${a.label} steam id (any)`);
      }
      // A hit names the account's one-per-account identities.
      const every = account("every identity");
      const hits = ok(
        await t.api.withToken<{ accounts: Record<string, string>[] }>("GET", `/v2/console/accounts?q=${every.username}`, admin),
        "search every",
      ).accounts;
      assert.deepEqual(
        hits.map((h) => [h["id"], h["email"], h["custom_id"], h["steam_id"]]),
        [[every.id, every.credentials.email?.address, every.credentials.customId, every.credentials.steam?.steamId]],
      );
    });

    it("keeps the console users: the viewer signs in with its password and reads as a viewer", async () => {
      for (const u of fixture.consoleUsers) {
        const token = await consoleSignIn(u.username, u.password);
        const session = ok(await t.api.withToken<{ user: { username: string; role: string } }>("GET", "/v2/console/session", token), u.username);
        assert.deepEqual(session.user, { username: u.username, role: u.role });
      }
      const refused = await t.api.call("POST", "/v2/console/authenticate", {
        body: { username: fixture.consoleUsers[1]!.username, password: "not the password" },
      });
      assert.equal(refused.status, 401);
    });

    it("lists every audit event of the previous release unchanged", async () => {
      const listed: AuditEvent[] = [];
      let cursor = "";
      do {
        const page = ok(
          await t.api.withToken<{ events: AuditEvent[]; next_cursor?: string }>(
            "GET",
            `/v2/console/audit?limit=100${cursor ? `&cursor=${cursor}` : ""}`,
            admin,
          ),
          "audit",
        );
        listed.push(...page.events);
        cursor = page.next_cursor ?? "";
      } while (cursor !== "");
      for (const old of fixture.auditEvents) {
        assert.deepEqual(
          listed.find((e) => e.id === old.id),
          old,
          `audit event ${old.id}`,
        );
      }
    });

    it("refreshes each old refresh token into the same session", async () => {
      for (const a of fixture.accounts) {
        const fresh = ok(await t.api.withKey<SessionJson>("/v2/account/session/refresh", { token: a.session.refreshToken }, SERVER_KEY), `refresh ${a.label}`);
        assert.deepEqual([claimsOf(fresh.token)["uid"], claimsOf(fresh.token)["tid"]], [a.id, a.session.id], a.label);
        ok(await t.api.withToken("GET", "/v2/account", fresh.token), `${a.label} with the refreshed token`);
      }
    });

    it("refuses both tokens of the session logged out before the upgrade", async () => {
      const { session } = fixture.loggedOut;
      assert.equal((await t.api.withToken("GET", "/v2/account", session.token)).status, 401);
      assert.equal((await t.api.withKey("/v2/account/session/refresh", { token: session.refreshToken }, SERVER_KEY)).status, 401);
    });

    it("opens a realtime socket with an old access token, and refuses the logged-out session's", async () => {
      const socket = await WatchedSocket.open(t.url, account("email").session.token);
      try {
        await socket.roundTrip();
      } finally {
        socket.end();
      }
      await assert.rejects(WatchedSocket.open(t.url, fixture.loggedOut.session.token), /refused with 401/);
    });

    it("keeps the banned account banned: its device sign-in is refused", async () => {
      const res = await t.api.withKey("/v2/account/authenticate/device?create=false", { id: fixture.banned.deviceId }, SERVER_KEY);
      assert.equal(res.status, 403, JSON.stringify(res.body));
    });

    it("keeps identities unlinked before the upgrade unlinked: they sign in nowhere", async () => {
      for (const id of fixture.unlinked.devices)
        assert.equal((await t.api.withKey("/v2/account/authenticate/device?create=false", { id }, SERVER_KEY)).status, 404, id);
      for (const id of fixture.unlinked.customIds)
        assert.equal((await t.api.withKey("/v2/account/authenticate/custom?create=false", { id }, SERVER_KEY)).status, 404, id);
    });

    it("signs each credential in again to the same account: devices, email and password, custom id, Steam ticket", async () => {
      const signIn = async (a: FixtureAccount, path: string, body: Record<string, unknown>): Promise<void> => {
        const res = ok(await t.api.withKey<SessionJson>(`/v2/account/authenticate/${path}?create=false`, body, SERVER_KEY), `${a.label} ${path}`);
        assert.equal(claimsOf(res.token)["uid"], a.id, `${a.label} ${path}`);
      };
      let signIns = 0;
      for (const a of fixture.accounts) {
        const c = a.credentials;
        for (const id of c.devices) await signIn(a, "device", { id });
        if (c.email) await signIn(a, "email", { email: c.email.address, password: c.email.password });
        if (c.customId) await signIn(a, "custom", { id: c.customId });
        if (c.steam)
          await signIn(a, "steam", { token: steam.ticketFor({ steamId: c.steam.steamId, ownerSteamId: c.steam.ownerSteamId, vacBanned: c.steam.vacBanned }) });
        signIns += c.devices.length + (c.email ? 1 : 0) + (c.customId ? 1 : 0) + (c.steam ? 1 : 0);
      }
      assert.equal(signIns, Object.values(expectedIdentities(fixture)).reduce((x, y) => x + y, 0) - 1);
      const wrong = await t.api.withKey(
        "/v2/account/authenticate/email?create=false",
        { email: account("email").credentials.email?.address, password: "not the password" },
        SERVER_KEY,
      );
      assert.equal(wrong.status, 401);
    });

    it("keeps the ticket signing keys, the game server's credential and token, its auth sessions and the licenses", async () => {
      const kids = ok(await t.api.call<{ keys: { kid: string }[] }>("GET", "/.well-known/jwks.json"), "jwks").keys.map((k) => k.kid);
      assert.deepEqual(kids.sort(), [fixture.ticketKeys.retiredKid, fixture.ticketKeys.signingKid].sort());

      const { gameServer, authSessions } = fixture;
      const live = ok(
        await t.api.withToken<{ auth_sessions: { id: string; user_id: string }[] }>("GET", "/v2/tickets/auth-sessions", gameServer.token),
        "auth sessions",
      );
      assert.deepEqual(
        live.auth_sessions.map((s) => [s.id, s.user_id]),
        [[authSessions.liveId, authSessions.liveUserId]],
      );
      const rows = await copy.rows<{ id: string; ended: number | boolean }>(
        `SELECT id, ended_at IS NOT NULL AS ended FROM auth_sessions WHERE id IN ('${authSessions.liveId}', '${authSessions.endedId}') ORDER BY id`,
      );
      assert.deepEqual(
        rows.map((r) => [r.id, Boolean(r.ended)]),
        [
          [authSessions.liveId, false],
          [authSessions.endedId, true],
        ].sort(),
      );

      // Tickets begun before the upgrade are listed to their players as in use (unused ones expired).
      for (const label of ["steam borrowed", "four devices"]) {
        const tickets = ok(
          await t.api.withToken<{ tickets: { identity: string; state: string }[] }>("GET", "/v2/tickets", account(label).session.token),
          label,
        ).tickets;
        assert.deepEqual(
          tickets.map((x) => [x.identity, x.state]),
          [[gameServer.identity, "in_use"]],
          label,
        );
      }

      const renewed = ok(
        await t.api.withKey<{ token: string }>("/v2/tickets/server/authenticate", { identity: gameServer.identity, secret: gameServer.secret }, SERVER_KEY),
        "game server sign-in",
      );
      const borrower = account("steam borrowed");
      const ticket = ok(
        await t.api.withToken<{ ticket: string }>("POST", "/v2/tickets", borrower.session.token, { identity: gameServer.identity }),
        "ticket",
      ).ticket;
      const begun = ok(
        await t.api.withToken<{ result_name: string; auth_session?: { user_id: string } }>("POST", "/v2/tickets/auth-sessions", renewed.token, {
          ticket,
          user_id: borrower.id,
        }),
        "begin",
      );
      assert.deepEqual([begun.result_name, begun.auth_session?.user_id], ["OK", borrower.id]);

      const licenses = ok(
        await t.api.withToken<{ owns_app: boolean; is_borrowed?: boolean; owner_id?: string }>("GET", "/v2/licenses", borrower.session.token),
        "licenses",
      );
      assert.deepEqual([licenses.owns_app, licenses.is_borrowed, licenses.owner_id], [true, true, fixture.licenses.ownerId]);
    });
  });
}

/** `tessera migrate` on a second copy: it reports the upgrade, keeps the rows, and a second run changes nothing. */
function migrateSuite(title: string, fixture: BackendFixture, makeCopy: () => Promise<FixtureCopy>, skip: string | false): void {
  describe(title, { skip }, () => {
    let copy: FixtureCopy;
    before(async () => {
      copy = await makeCopy();
    });
    after(async () => {
      await copy?.remove();
    });

    it("tessera migrate upgrades the fixture to the identities schema and on, and a second run is a no-op", async () => {
      const migrate = () => runCli(["migrate", "--data-dir", copy.dataDir, ...copy.cliArgs], { timeoutMs: 60_000 });
      const versions = () => copy.rows<{ version: number; applied_at: number | string }>("SELECT version, applied_at FROM schema_migrations ORDER BY version");
      assert.equal(Math.max(...(await versions()).map((v) => v.version)), IDENTITIES_VERSION - 1);

      const first = await migrate();
      assert.equal(first.code, 0, first.output);
      assert.match(first.output, new RegExp(`schema version: ${NEWEST_VERSION} `));
      const applied = await versions();
      assert.deepEqual(
        applied.map((v) => v.version),
        [1, 2, 3, 4, 6, 7, 8],
      );
      const kept = COUNTED_TABLES.filter((table) => table !== "account_devices" && table !== "schema_migrations");
      const counts = await rowCounts(copy, [...kept, "identities"]);
      const identities = Object.values(expectedIdentities(fixture)).reduce((a, b) => a + b, 0);
      assert.deepEqual(counts, { ...Object.fromEntries(kept.map((table) => [table, fixture.rowCounts[table]])), identities });

      const second = await migrate();
      assert.equal(second.code, 0, second.output);
      assert.match(second.output, new RegExp(`schema version: ${NEWEST_VERSION} `));
      assert.deepEqual(await versions(), applied);
      assert.deepEqual(await rowCounts(copy, [...kept, "identities"]), counts);
    });
  });
}

describe("upgrading a database of release 0567eed in place", () => {
  upgradeSuite("SQLite: the server migrates at start", manifest.sqlite, sqliteCopy, false);
  migrateSuite("SQLite: tessera migrate", manifest.sqlite, sqliteCopy, false);
  upgradeSuite("PostgreSQL: the server migrates at start", manifest.postgres, postgresCopy, pgSkip);
  migrateSuite("PostgreSQL: tessera migrate", manifest.postgres, postgresCopy, pgSkip);
});
