/**
 * Makes the upgrade fixture with the PREVIOUS release (test/upgrade/README.md says how to run it):
 * copied into that release's tree, it drives that tree's own server (in this process) and CLI
 * (child processes) the way players, game servers and operators would, on SQLite and on
 * PostgreSQL, then writes the SQLite file, a plain SQL dump of the PostgreSQL database and a
 * manifest of ids, tokens, passwords and expected values into the output directory.
 *
 * It imports only test/support/harness.ts and test/support/fake-steam.ts, whose interfaces both
 * releases share, so it also typechecks in the current tree.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { startFakeSteam, type FakeSteam } from "../support/fake-steam.js";
import { runCli, startTestServer, tempDir, type ApiResponse, type TestServer } from "../support/harness.js";
import { createTestDatabase, dropTestDatabase } from "../support/postgres.js";
import {
  COUNTED_TABLES,
  FIXTURE_RELEASE,
  FIXTURE_SETTINGS,
  MANIFEST_FILE,
  POSTGRES_DUMP_FILE,
  SQLITE_FILE,
  type BackendFixture,
  type Credentials,
  type FixtureAccount,
  type FixtureConsoleUser,
  type FixtureManifest,
  type FixtureSession,
  type SteamFacts,
} from "./fixture-manifest.js";

const SERVER_KEY = FIXTURE_SETTINGS["socket.server_key"];
const GAME_SERVER = "eu-west-1";
const CONSOLE_ADMIN: FixtureConsoleUser = { username: "root", password: "upgrade-admin-password-1", role: "admin" };
const CONSOLE_VIEWER: FixtureConsoleUser = { username: "watcher", password: "upgrade-viewer-password-1", role: "viewer" };
const METADATA = '{"level":7,"badges":["early"],"note":"set by SQL: 0567eed has no metadata API"}';

interface SessionJson {
  token: string;
  refresh_token: string;
}

/** GET /v2/account; the rest of its fields are recorded as they are. */
type AccountJson = Record<string, unknown> & { user: { id: string; username: string } & Record<string, unknown> };

interface ConsoleDetail {
  account: Record<string, unknown>;
  licenses: Record<string, unknown>;
}

interface Jwks {
  keys: { kid: string }[];
}

class FixtureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FixtureError";
  }
}

function ok<T>(res: ApiResponse<T>, what: string): T {
  if (res.status !== 200) throw new FixtureError(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The session id (`tid`) of an access token. */
function sessionIdOf(token: string): string {
  const payload: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
  const tid = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>)["tid"] : undefined;
  if (typeof tid !== "string") throw new FixtureError("access token without tid");
  return tid;
}

function sessionOf(body: SessionJson): FixtureSession {
  return { id: sessionIdOf(body.token), token: body.token, refreshToken: body.refresh_token };
}

interface Backend {
  name: "sqlite" | "postgres";
  settings: Record<string, string>;
  cliArgs: string[];
  rowCount(table: string): Promise<number>;
  exec(sql: string, values: string[]): Promise<void>;
}

/** Drives one database through the previous release; returns what the manifest records of it. */
async function build(backend: Backend, dataDir: string, steam: FakeSteam): Promise<BackendFixture> {
  const settings = { ...FIXTURE_SETTINGS, ...steam.settings(), ...backend.settings };
  const cli = async (args: string[], input?: string): Promise<string> => {
    const res = await runCli([...args, "--data-dir", dataDir, ...backend.cliArgs], input === undefined ? { timeoutMs: 60_000 } : { input, timeoutMs: 60_000 });
    if (res.code !== 0) throw new FixtureError(`tessera ${args.join(" ")}: ${res.code}\n${res.output}`);
    return res.output;
  };

  // The operator's first steps, before the first start.
  await cli(["migrate"]);
  await cli(["admin", "create", CONSOLE_ADMIN.username, "--role", "admin", "--password-stdin"], CONSOLE_ADMIN.password);
  const created = /secret: (\S+)/.exec(await cli(["gameserver", "create", GAME_SERVER]));
  if (!created?.[1]) throw new FixtureError("gameserver create printed no secret");
  const gameServerSecret = created[1];

  let t: TestServer = await startTestServer(settings, dataDir);
  const api = () => t.api;
  const signIn = async (path: string, body: Record<string, unknown>, username: string): Promise<SessionJson> =>
    ok(await api().withKey<SessionJson>(`/v2/account/authenticate/${path}?create=true&username=${username}`, body, SERVER_KEY), `sign-in ${path} ${username}`);
  const link = async (token: string, path: string, body: Record<string, unknown>): Promise<void> => {
    ok(await api().withToken("POST", `/v2/account/link/${path}`, token, body), `link ${path}`);
  };
  const steamTicket = (facts: SteamFacts): string => steam.ticketFor({ steamId: facts.steamId, ownerSteamId: facts.ownerSteamId, vacBanned: facts.vacBanned });

  const planned: { label: string; username: string; credentials: Credentials; session: SessionJson }[] = [];
  const add = (label: string, username: string, credentials: Credentials, session: SessionJson) => planned.push({ label, username, credentials, session });

  // Players.
  // Linked in an order that is not the ids' order: the upgrade must keep the link order.
  const devices = ["upgrade-device-zulu", "upgrade-device-alpha", "upgrade-device-mike"];
  const fourDevices = await signIn("device", { id: devices[0], vars: { platform: "pc", build: "1.0.3" } }, "four_devices");
  for (const id of devices.slice(1)) await link(fourDevices.token, "device", { id });
  // An unlinked device leaves a gap; the one linked after it comes last.
  await link(fourDevices.token, "device", { id: "upgrade-device-gone" });
  ok(await api().withToken("POST", "/v2/account/unlink/device", fourDevices.token, { id: "upgrade-device-gone" }), "unlink device");
  await link(fourDevices.token, "device", { id: "upgrade-device-bravo" });
  devices.push("upgrade-device-bravo");
  ok(
    await api().withToken("PUT", "/v2/account", fourDevices.token, {
      display_name: "Ådne Four-Devices 🎮",
      avatar_url: "https://cdn.example.com/a.png",
      lang_tag: "nb",
      location: "Bergen",
      timezone: "Europe/Oslo",
    }),
    "update account",
  );
  add("four devices", "four_devices", { devices }, fourDevices);

  const email = { address: "Jürgen.ÖSTER@Example.COM", password: "correct horse battery staple" };
  add("email", "email_player", { devices: [], email }, await signIn("email", { email: email.address, password: email.password }, "email_player"));
  add("custom id", "custom_player", { devices: [], customId: "upgrade-custom-1" }, await signIn("custom", { id: "upgrade-custom-1" }, "custom_player"));

  const steamOwner: SteamFacts = { steamId: "76561198000000001", ownerSteamId: "76561198000000001", vacBanned: false };
  const steamBorrowed: SteamFacts = { steamId: "76561198000000002", ownerSteamId: "76561198000000001", vacBanned: false };
  const steamVac: SteamFacts = { steamId: "76561198000000003", ownerSteamId: "76561198000000003", vacBanned: true };
  const steamLinked: SteamFacts = { steamId: "76561198000000004", ownerSteamId: "76561198000000004", vacBanned: false };
  for (const [label, username, facts] of [
    ["steam owner", "steam_owner", steamOwner],
    ["steam borrowed", "steam_borrowed", steamBorrowed],
    ["steam vac banned", "steam_vac", steamVac],
  ] as const) {
    add(label, username, { devices: [], steam: facts }, await signIn("steam", { token: steamTicket(facts) }, username));
  }

  const every = await signIn("device", { id: "upgrade-device-m1" }, "every_identity");
  const everyEmail = { address: "every.one@example.com", password: "another long password" };
  await link(every.token, "email", { email: everyEmail.address, password: everyEmail.password });
  await link(every.token, "custom", { id: "upgrade-custom-m" });
  await link(every.token, "steam", { account: { token: steamTicket(steamLinked) } });
  add("every identity", "every_identity", { devices: ["upgrade-device-m1"], email: everyEmail, customId: "upgrade-custom-m", steam: steamLinked }, every);

  const anonymous = ok(
    await api().withKey<SessionJson>("/v2/account/authenticate/anonymous?username=anonymous_player", { vars: { guest: "yes" } }, SERVER_KEY),
    "anonymous sign-in",
  );
  add("anonymous", "anonymous_player", { devices: [] }, anonymous);

  // A player signed in twice who logged out of the second session.
  const stays = await signIn("device", { id: "upgrade-device-out" }, "logged_out_once");
  // A custom id linked and unlinked again: it must not come back.
  await link(stays.token, "custom", { id: "upgrade-custom-unlinked" });
  ok(await api().withToken("POST", "/v2/account/unlink/custom", stays.token, { id: "upgrade-custom-unlinked" }), "unlink custom");
  const leaves = await signIn("device", { id: "upgrade-device-out" }, "logged_out_once");
  ok(await api().withToken("POST", "/v2/session/logout", leaves.token, { token: leaves.token, refresh_token: leaves.refresh_token }), "logout");
  add("logged out once", "logged_out_once", { devices: ["upgrade-device-out"] }, stays);

  const bannedSession = await signIn("device", { id: "upgrade-device-banned" }, "banned_player");

  const accounts: Omit<FixtureAccount, "console">[] = [];
  for (const p of planned) {
    const account = ok(await api().withToken<AccountJson>("GET", "/v2/account", p.session.token), `account ${p.label}`);
    accounts.push({ label: p.label, id: account.user.id, username: account.user.username, credentials: p.credentials, session: sessionOf(p.session), account });
  }
  const idOf = (label: string): string => {
    const found = accounts.find((a) => a.label === label);
    if (!found) throw new FixtureError(`no account ${label}`);
    return found.id;
  };
  const bannedAccountId = ok(await api().withToken<AccountJson>("GET", "/v2/account", bannedSession.token), "banned account").user.id;

  // The console: the admin made by the CLI signs in, creates a viewer, bans, grants and lends.
  const consoleSignIn = async (u: FixtureConsoleUser): Promise<string> =>
    ok(
      await api().call<{ token: string }>("POST", "/v2/console/authenticate", { body: { username: u.username, password: u.password } }),
      `console sign-in ${u.username}`,
    ).token;
  const admin = await consoleSignIn(CONSOLE_ADMIN);
  ok(
    await api().withToken("POST", "/v2/console/users", admin, {
      username: CONSOLE_VIEWER.username,
      role: CONSOLE_VIEWER.role,
      password: CONSOLE_VIEWER.password,
    }),
    "create viewer",
  );
  const viewer = await consoleSignIn(CONSOLE_VIEWER);
  ok(await api().withToken("GET", "/v2/console/accounts", viewer), "viewer lists accounts");
  const ban = { kind: "vac", reason: "aimbot (upgrade fixture)" };
  ok(await api().withToken("POST", `/v2/console/accounts/${bannedAccountId}/ban`, admin, ban), "ban");
  const licenses = { ownerId: idOf("steam owner"), borrowerId: idOf("steam borrowed"), ownOnlyId: idOf("four devices") };
  ok(await api().withToken("POST", `/v2/console/accounts/${licenses.ownerId}/license`, admin, {}), "grant owner");
  ok(await api().withToken("POST", `/v2/console/accounts/${licenses.ownOnlyId}/license`, admin, {}), "grant own only");
  ok(await api().withToken("POST", `/v2/console/accounts/${licenses.ownerId}/loans`, admin, { borrower_id: licenses.borrowerId }), "lend");

  // Tickets: the game server signs in, begins two players' tickets and ends one; one ticket stays unused.
  const gameServerToken = ok(
    await api().withKey<{ token: string }>("/v2/tickets/server/authenticate", { identity: GAME_SERVER, secret: gameServerSecret }, SERVER_KEY),
    "game server sign-in",
  ).token;
  const issue = async (label: string): Promise<string> =>
    ok(
      await api().withToken<{ ticket: string }>("POST", "/v2/tickets", accounts.find((a) => a.label === label)?.session.token ?? "", { identity: GAME_SERVER }),
      `ticket ${label}`,
    ).ticket;
  const begin = async (label: string): Promise<string> => {
    const begun = ok(
      await api().withToken<{ auth_session?: { id: string } }>("POST", "/v2/tickets/auth-sessions", gameServerToken, {
        ticket: await issue(label),
        user_id: idOf(label),
      }),
      `begin ${label}`,
    );
    if (!begun.auth_session) throw new FixtureError(`begin ${label}: no auth session`);
    return begun.auth_session.id;
  };
  const liveId = await begin("steam borrowed");
  const endedId = await begin("four devices");
  ok(await api().withToken("DELETE", `/v2/tickets/auth-sessions/${endedId}`, gameServerToken), "end auth session");
  await issue("email");
  const firstKid = ok(await api().call<Jwks>("GET", "/.well-known/jwks.json"), "jwks").keys.map((k) => k.kid);
  if (firstKid.length !== 1 || !firstKid[0]) throw new FixtureError(`expected one ticket key, got ${firstKid.join(",")}`);
  await t.stop();

  // The operator rotates the ticket signing key; the restarted server signs with the new one.
  await cli(["keys", "rotate"]);
  t = await startTestServer(settings, dataDir);
  await issue("steam owner");
  const kids = ok(await api().call<Jwks>("GET", "/.well-known/jwks.json"), "jwks").keys.map((k) => k.kid);
  const signingKid = kids.find((k) => k !== firstKid[0]);
  if (kids.length !== 2 || !signingKid) throw new FixtureError(`expected two ticket keys, got ${kids.join(",")}`);

  // What the console shows at the end: each account page and the audit log.
  const lastAdmin = await consoleSignIn(CONSOLE_ADMIN);
  const detail = async (id: string): Promise<ConsoleDetail> =>
    ok(await api().withToken<ConsoleDetail>("GET", `/v2/console/accounts/${id}`, lastAdmin), `console account ${id}`);
  const withConsole: FixtureAccount[] = [];
  for (const a of accounts) {
    const d = await detail(a.id);
    withConsole.push({ ...a, console: { account: d.account, licenses: d.licenses } });
  }
  const bannedConsole = (await detail(bannedAccountId)).account;
  const auditEvents = ok(await api().withToken<{ events: { id: string }[] }>("GET", "/v2/console/audit?limit=100", lastAdmin), "audit").events;
  await t.stop();

  const metadataOf = idOf("four devices");
  await backend.exec("UPDATE accounts SET metadata = $1 WHERE id = $2", [METADATA, metadataOf]);
  for (const a of withConsole) {
    if (a.id !== metadataOf) continue;
    for (const view of [a.account, a.console.account]) {
      const user = view["user"];
      if (typeof user === "object" && user !== null) (user as Record<string, unknown>)["metadata"] = METADATA;
    }
  }

  const rowCounts: Record<string, number> = {};
  for (const table of COUNTED_TABLES) rowCounts[table] = await backend.rowCount(table);
  return {
    accounts: withConsole,
    metadata: { accountId: metadataOf, json: METADATA },
    loggedOut: { accountId: idOf("logged out once"), session: sessionOf(leaves) },
    banned: { accountId: bannedAccountId, deviceId: "upgrade-device-banned", ...ban, console: bannedConsole },
    auditEvents,
    unlinked: { devices: ["upgrade-device-gone"], customIds: ["upgrade-custom-unlinked"] },
    gameServer: { identity: GAME_SERVER, secret: gameServerSecret, token: gameServerToken },
    ticketKeys: { retiredKid: firstKid[0], signingKid },
    authSessions: { liveId, liveUserId: idOf("steam borrowed"), endedId, endedUserId: idOf("four devices") },
    licenses,
    consoleUsers: [CONSOLE_ADMIN, CONSOLE_VIEWER],
    rowCounts,
  };
}

async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? "");
  if (process.argv[2] === undefined) throw new FixtureError("usage: make-fixture.ts <output directory>");
  mkdirSync(out, { recursive: true });
  const steam = await startFakeSteam();
  try {
    // SQLite: the data directory's database file, then one compact file without its WAL.
    const sqliteDir = tempDir("tessera-fixture-");
    const sqlitePath = join(sqliteDir.path, "tessera.db");
    let sqlite: BackendFixture;
    try {
      sqlite = await build(
        {
          name: "sqlite",
          settings: {},
          cliArgs: [],
          rowCount: async (table) => {
            const db = new Database(sqlitePath, { readonly: true });
            try {
              return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
            } finally {
              db.close();
            }
          },
          exec: async (sql, values) => {
            const db = new Database(sqlitePath);
            try {
              db.prepare(sql.replace(/\$\d+/g, "?")).run(...values);
            } finally {
              db.close();
            }
          },
        },
        sqliteDir.path,
        steam,
      );
      const target = join(out, SQLITE_FILE);
      rmSync(target, { force: true });
      const db = new Database(sqlitePath);
      try {
        db.pragma("wal_checkpoint(TRUNCATE)");
        db.prepare("VACUUM INTO ?").run(target);
      } finally {
        db.close();
      }
      const copy = new Database(target);
      try {
        // A single file: the copy is left in rollback-journal mode; the server turns WAL on at start.
        copy.pragma("journal_mode = DELETE");
      } finally {
        copy.close();
      }
    } finally {
      sqliteDir.remove();
    }

    // PostgreSQL: a fresh database, dumped as plain SQL without owners or privileges.
    const database = await createTestDatabase();
    const pgDir = tempDir("tessera-fixture-pg-");
    let postgres: BackendFixture;
    try {
      postgres = await build(
        {
          name: "postgres",
          settings: { "database.url": database.url },
          cliArgs: ["--database-url", database.url],
          rowCount: (table) => withPgClient(database.url, async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n)),
          exec: (sql, values) => withPgClient(database.url, async (c) => void (await c.query(sql, values))),
        },
        pgDir.path,
        steam,
      );
      const dump = execFileSync("pg_dump", ["--no-owner", "--no-privileges", "--format=plain", database.url], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      writeFileSync(join(out, POSTGRES_DUMP_FILE), dump);
    } finally {
      pgDir.remove();
      await dropTestDatabase(database.name);
    }

    const manifest: FixtureManifest = { release: FIXTURE_RELEASE, settings: { ...FIXTURE_SETTINGS }, sqlite, postgres };
    writeFileSync(join(out, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    process.stdout.write(`fixture of ${FIXTURE_RELEASE} written to ${out}\n`);
  } finally {
    await steam.close();
  }
}

await main();
